"""The serializer and deserializer cases compared with SDK v2 (tests/sdk/test_serializers.py).

Runs under either interpreter: ``python serializer_cases.py sagemaker`` prints SDK v2's
results as JSON (the test runs it with SDK v2's venv); :func:`results` gives ours. Each
case is evaluated from text, so both sides build exactly the same inputs.
"""

from __future__ import annotations

import importlib
import io
import json
import sys
from typing import Any

# id -> (constructor, data) for serializers; the data is a Python expression over np and io.
SERIALIZE = {
    "json-dict-of-arrays": ("JSONSerializer()", "{'inputs': np.array([1, 2]), 'k': 'v'}"),
    "json-list": ("JSONSerializer()", "[1, 'a', None]"),
    "json-array": ("JSONSerializer()", "np.array([[1.5, 2.0]])"),
    "json-string": ("JSONSerializer()", "'text'"),
    "json-file": ("JSONSerializer()", "io.BytesIO(b'{\"a\": 1}')"),
    "json-content-type": ("JSONSerializer('application/x-json').CONTENT_TYPE", None),
    "csv-row": ("CSVSerializer()", "[1, 2, 3]"),
    "csv-rows": ("CSVSerializer()", "[[1, 2], [3, 4]]"),
    "csv-list-of-strings": ("CSVSerializer()", "['ab', 'cd']"),
    "csv-string": ("CSVSerializer()", "'a,b'"),
    "csv-quoting": ("CSVSerializer()", "[['a,b', 'q\"x'], [1.5, None]]"),
    "csv-2d-array": ("CSVSerializer()", "np.array([[1.5, 2], [3, 4]])"),
    "csv-1d-array": ("CSVSerializer()", "np.array([1.5, 2.0])"),
    "csv-3d-array": ("CSVSerializer()", "np.arange(8).reshape(2, 2, 2)"),
    "csv-tuple-of-strings": ("CSVSerializer()", "('a', 'b')"),
    "csv-tuple-of-rows": ("CSVSerializer()", "((1, 2), (3, 4))"),
    "csv-bools-and-floats": ("CSVSerializer()", "[True, 1e-07]"),
    "csv-bytes": ("CSVSerializer()", "b'ab'"),
    "csv-empty": ("CSVSerializer()", "[]"),
    "csv-scalar": ("CSVSerializer()", "3"),
    "csv-content-type": ("CSVSerializer('text/x-csv').CONTENT_TYPE", None),
    "npy-list-with-dtype": ("NumpySerializer(dtype='float32')", "[1, 2]"),
    "npy-array-keeps-dtype": ("NumpySerializer(dtype='float32')", "np.array([1, 2])"),
    "npy-scalar": ("NumpySerializer()", "5"),
    "npy-empty": ("NumpySerializer()", "[]"),
    "npy-ragged": ("NumpySerializer()", "[[1], [1, 2]]"),
    "npy-file": ("NumpySerializer()", "io.BytesIO(b'raw')"),
    "identity": ("IdentitySerializer('audio/wav')", "b'RIFF'"),
    "identity-content-type": ("IdentitySerializer('audio/wav').CONTENT_TYPE", None),
    "data-bytes": ("DataSerializer(content_type='audio/x-audio')", "b'fLaC'"),
    "data-path": ("DataSerializer(content_type='image/x-image')", "DATA_FILE"),
    "data-dict": ("DataSerializer()", "{'data': b'raw'}"),
    "data-missing-file": ("DataSerializer()", "'/nonexistent/sample.flac'"),
    "data-int": ("DataSerializer()", "3"),
    "data-content-type": ("DataSerializer().CONTENT_TYPE", None),
    "string": ("StringSerializer()", "'héllo'"),
    "string-not-str": ("StringSerializer()", "3"),
    "jsonlines-list": ("JSONLinesSerializer()", "[{'a': 1}, [2], 'x']"),
    "jsonlines-string": ("JSONLinesSerializer()", "'{\"a\": 1}'"),
    "jsonlines-int": ("JSONLinesSerializer()", "3"),
    "jsonlines-content-type": ("JSONLinesSerializer().CONTENT_TYPE", None),
}

# id -> (constructor, body, content type) for deserializers.
DESERIALIZE = {
    "json": ("JSONDeserializer()", b'{"a": [1, 2]}', "application/json"),
    "json-empty": ("JSONDeserializer()", b"", "application/json"),
    "json-accept-tuple": ("JSONDeserializer(('application/json', 'text/json')).ACCEPT", None, None),
    "bytes": ("BytesDeserializer()", b"\x00\x01", "application/octet-stream"),
    "bytes-accept": ("BytesDeserializer().ACCEPT", None, None),
    "string": ("StringDeserializer()", "héllo".encode(), "text/plain"),
    "string-latin1": ("StringDeserializer(encoding='latin-1')", b"\xe9", "text/plain"),
    "string-accept": ("StringDeserializer().ACCEPT", None, None),
    "csv": ("CSVDeserializer()", b'1,2\n"a,b",c\n', "text/csv"),
    "csv-accept": ("CSVDeserializer().ACCEPT", None, None),
    "jsonlines": ("JSONLinesDeserializer()", b'{"a": 1}\n[2]\n', "application/jsonlines"),
    "stream-accept": ("StreamDeserializer().ACCEPT", None, None),
    "numpy-json": ("NumpyDeserializer()", b"[[1, 2]]", "application/json"),
    "numpy-csv": ("NumpyDeserializer()", b"1,2\n3,4", "text/csv"),
    "numpy-npy": ("NumpyDeserializer()", "NPY", "application/x-npy"),
    "numpy-npz": ("NumpyDeserializer()", "NPZ", "application/x-npz"),
    "numpy-unknown-type": ("NumpyDeserializer()", b"", "image/png"),
    "numpy-accept": ("NumpyDeserializer().ACCEPT", None, None),
}


def _normal(value: Any) -> Any:
    """A JSON-able picture of a result."""
    import numpy as np

    if isinstance(value, bytes):
        if value.startswith(b"\x93NUMPY"):
            array = np.load(io.BytesIO(value), allow_pickle=False)
            return {"npy": str(array.dtype), "values": array.tolist()}
        return {"bytes": value.decode("latin-1")}
    if isinstance(value, np.ndarray):
        return {"ndarray": str(value.dtype), "values": value.tolist()}
    if isinstance(value, tuple):
        return {"tuple": [_normal(item) for item in value]}
    if hasattr(value, "files"):  # an .npz archive
        return {"npz": {name: value[name].tolist() for name in value.files}}
    return value


def _error(error: Exception) -> dict[str, Any]:
    return {
        "error": [
            name
            for name, kind in (("ValueError", ValueError), ("TypeError", TypeError))
            if isinstance(error, kind)
        ]
    }


def results(package: str, data_file: str) -> dict[str, Any]:
    """Every case's result with ``package``'s classes (``sagemaker`` or ``sagemaker_hf``)."""
    import numpy as np

    namespace: dict[str, Any] = {"np": np, "io": io, "DATA_FILE": data_file}
    for module in ("serializers", "deserializers"):
        # sagemaker_hf.deserializers is an attribute (the serializers module), not a module path
        root = importlib.import_module(package)
        found_module = getattr(root, module, None) or importlib.import_module(f"{package}.{module}")
        namespace.update(vars(found_module))
    npy, npz = io.BytesIO(), io.BytesIO()
    np.save(npy, np.array([[1, 2]], dtype="int16"))
    np.savez(npz, x=np.array([1.5]))
    bodies = {"NPY": npy.getvalue(), "NPZ": npz.getvalue()}
    found: dict[str, Any] = {}
    for case, (constructor, data) in SERIALIZE.items():
        try:
            made = eval(constructor, namespace)
            found[case] = _normal(made if data is None else made.serialize(eval(data, namespace)))
        except Exception as error:
            found[case] = _error(error)
    for case, (constructor, body, content_type) in DESERIALIZE.items():
        try:
            made = eval(constructor, namespace)
            if body is None:
                found[case] = _normal(made)
            else:
                stream = io.BytesIO(bodies.get(body, body) if isinstance(body, str) else body)
                found[case] = _normal(made.deserialize(stream, content_type))
        except Exception as error:
            found[case] = _error(error)
    return found


if __name__ == "__main__":
    print(json.dumps(results(sys.argv[1], sys.argv[2])))
