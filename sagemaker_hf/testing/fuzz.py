"""Hypothesis strategies for hostile ``/invocations`` requests (the rules every answer must keep are
:func:`sagemaker_hf.testing.fuzz_client.violations`).

Used by ``tests/reliability/test_fuzz.py`` (a short, derandomized run in CI) and
``benchmarks/fuzz_invocations.py`` (the long form, 10,000+ requests). Each example is a
list of :class:`FuzzRequest`: usually one, sometimes a burst sent at once, so that bad
requests share a batch with good ones in the worker.

The categories (:data:`CATEGORIES`) are the ways a client gets a request wrong: random
bytes, invalid UTF-8, deep and huge JSON, wrong types for ``inputs`` and ``parameters``,
bad CSV and JSON Lines, broken images, audio and ``.npy`` bodies (pickled ones
included), unknown or malformed Content-Types, bad Accept headers, and bodies over the
payload limit (with and without a Content-Length). Good requests are mixed in, so that
the server is seen answering between the bad ones.

Requires ``hypothesis`` (a dev dependency); numpy and PIL are used for valid arrays and
images.
"""

from __future__ import annotations

import io
import json
import struct
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from sagemaker_hf.testing.samples import png_bytes, wav_bytes

JSON = "application/json"
KNOWN_CONTENT_TYPES = (
    JSON,
    "application/jsonlines",
    "application/x-jsonlines",
    "text/csv",
    "application/x-npy",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/tiff",
    "audio/wav",
    "audio/x-flac",
    "audio/mpeg",
    "audio/ogg",
)
KNOWN_ACCEPTS = (JSON, "application/jsonlines", "text/csv", "application/x-npy", "*/*", "text/event-stream")
# Parameter names the text tasks do take, so that wrong *values* reach the model.
KNOWN_PARAMETERS = (
    "top_k",
    "function_to_apply",
    "truncation",
    "padding",
    "max_length",
    "max_new_tokens",
    "temperature",
    "do_sample",
    "return_full_text",
    "candidate_labels",
)
GOOD_TEXT = "I love this movie!"


@dataclass(frozen=True)
class FuzzRequest:
    """One request: its category (for the tallies), body and headers (None: header not sent)."""

    category: str
    body: bytes
    content_type: str | bytes | None = JSON
    accept: str | bytes | None = None
    chunked: bool = False  # sent without Content-Length (Transfer-Encoding: chunked)
    extra_headers: dict[str, str] = field(default_factory=dict)

    def headers(self) -> dict[str, str | bytes]:
        headers: dict[str, str | bytes] = dict(self.extra_headers)
        if self.content_type is not None:
            headers["content-type"] = self.content_type
        if self.accept is not None:
            headers["accept"] = self.accept
        return headers


def _json(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8")


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=12), children, max_size=6)
    ),
    max_leaves=24,
)
# Header text: printable ASCII (what clients can send), and Latin-1 bytes some clients send raw.
# (Clients refuse values with leading or trailing blanks or control characters, so none are made.)
header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80).map(
    str.strip
) | st.binary(max_size=40).map(lambda raw: bytes(b for b in raw if b > 0x20 and b != 0x7F))


def _with_category(category: str, body: Any, content_type: Any = None, accept: Any = None):
    return st.builds(
        FuzzRequest,
        category=st.just(category),
        body=body,
        content_type=content_type if content_type is not None else st.just(JSON),
        accept=accept if accept is not None else st.none() | st.sampled_from(KNOWN_ACCEPTS),
    )


def good_requests() -> st.SearchStrategy[FuzzRequest]:
    bodies = st.sampled_from(
        [
            {"inputs": GOOD_TEXT},
            {"inputs": [GOOD_TEXT, "This was awful."]},
            {"inputs": GOOD_TEXT, "parameters": {"top_k": 2}},
        ]
    ).map(_json)
    return _with_category("good", bodies, accept=st.sampled_from([None, JSON, "*/*"]))


def random_bytes() -> st.SearchStrategy[FuzzRequest]:
    content_types = st.none() | st.sampled_from(KNOWN_CONTENT_TYPES)
    return _with_category("random-bytes", st.binary(max_size=4096), content_types)


def invalid_utf8() -> st.SearchStrategy[FuzzRequest]:
    def spliced(prefix: str, junk: bytes, suffix: str) -> bytes:
        return b'{"inputs": "' + prefix.encode() + junk + suffix.encode() + b'"}'

    junk = st.sampled_from(
        [b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80\x80", b"\xe2\x82"]
    )
    bodies = st.builds(spliced, st.text(max_size=20), junk, st.text(max_size=20))
    charsets = st.sampled_from(
        ["", "; charset=utf-8", "; charset=UTF-8", "; charset=latin-1", "; charset=bogus"]
    )
    kinds = st.sampled_from([JSON, "application/jsonlines", "text/csv"])
    return _with_category(
        "invalid-utf8", bodies, st.builds(lambda kind, charset: kind + charset, kinds, charsets)
    )


def deep_json() -> st.SearchStrategy[FuzzRequest]:
    # Depths around Python's recursion limit (1000) parse in one place and fail in the next.
    wrappers = {
        "bare": "{inner}",
        "stream": '{{"inputs": {inner}, "stream": true}}',
        "parameters": '{{"inputs": "{text}", "parameters": {{"top_k": {inner}}}}}',
    }

    def nested(depth: int, kind: str, closed: bool, wrapper: str) -> bytes:
        opening, closing = ("[", "]") if kind == "list" else ('{"a":', "}")
        inner = opening * depth + "1" + (closing * depth if closed else "")
        return wrappers[wrapper].format(inner=inner, text=GOOD_TEXT).encode()

    depths = st.sampled_from([2, 50, 900, 960, 980, 990, 995, 1100, 5000, 50_000, 200_000])
    kinds = st.sampled_from(["list", "dict"])
    bodies = st.builds(nested, depths, kinds, st.booleans(), st.sampled_from(list(wrappers)))
    return _with_category("deep-json", bodies, st.sampled_from([JSON, "application/jsonlines"]))


def huge_json() -> st.SearchStrategy[FuzzRequest]:
    def big(kind: str, size: int) -> bytes:
        if kind == "long-text":
            return _json({"inputs": "word " * (size // 5)})
        if kind == "many-texts":
            return _json({"inputs": ["short text"] * min(size // 12, 300)})
        if kind == "numbers":
            return _json({"inputs": list(range(size // 8))})
        if kind == "big-integer":
            return b'{"inputs": ' + b"9" * min(size, 100_000) + b"}"
        if kind == "big-float":
            return b'{"inputs": 1' + b"0" * min(size, 5000) + b".5e99999}"
        return _json({"inputs": GOOD_TEXT, "parameters": {f"p{index}": index for index in range(size // 16)}})

    kinds = st.sampled_from(["long-text", "many-texts", "numbers", "big-integer", "big-float", "parameters"])
    sizes = st.sampled_from([100, 5000, 200_000, 900_000])
    return _with_category("huge-json", st.builds(big, kinds, sizes))


def wrong_types() -> st.SearchStrategy[FuzzRequest]:
    def payload(inputs: Any, parameters: Any, shape: str) -> bytes:
        if shape == "bare":
            return _json(inputs)
        if shape == "no-parameters":
            return _json({"inputs": inputs})
        return _json({"inputs": inputs, "parameters": parameters})

    known = st.dictionaries(st.sampled_from(KNOWN_PARAMETERS), json_values, min_size=1, max_size=3)
    inputs = json_values | st.just(GOOD_TEXT)
    bodies = st.builds(
        payload, inputs, json_values | known, st.sampled_from(["bare", "no-parameters", "both"])
    )
    return _with_category("wrong-types", bodies)


def bad_csv() -> st.SearchStrategy[FuzzRequest]:
    alphabet = st.sampled_from([*'abc ,"\n\r\x00;\t\\', "inputs", "question", "context", "é"])
    text = st.lists(alphabet, max_size=200).map("".join)
    headed = st.builds(lambda body: "inputs\n" + body, text)
    wide = st.integers(1, 300_000).map(lambda size: "inputs\n" + "x" * size)
    bodies = st.one_of(text, headed, wide).map(lambda value: value.encode("utf-8"))
    return _with_category("bad-csv", bodies, st.sampled_from(["text/csv", "text/csv; charset=utf-8"]))


def json_lines() -> st.SearchStrategy[FuzzRequest]:
    line = st.one_of(json_values.map(json.dumps), st.text(max_size=30), st.just(""))
    bodies = st.lists(line, max_size=20).map(lambda lines: "\n".join(lines).encode("utf-8"))
    accepts = st.none() | st.sampled_from(KNOWN_ACCEPTS)
    return _with_category("json-lines", bodies, st.sampled_from(["application/jsonlines", JSON]), accepts)


def broken_images() -> st.SearchStrategy[FuzzRequest]:
    png = png_bytes(16, 16)

    def image(kind: str, cut: int, junk: bytes) -> bytes:
        if kind == "truncated":
            return png[: cut % len(png)]
        if kind == "corrupted":
            position = cut % len(png)
            return png[:position] + junk + png[position + len(junk) :]
        if kind == "valid":
            return png
        if kind == "huge-header":  # IHDR of 60000 x 60000: a decompression bomb
            header = struct.pack(">IIBBBBB", 60_000, 60_000, 8, 2, 0, 0, 0)
            return png[:12] + header + png[12 + len(header) :]
        magic = {"png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff", "gif": b"GIF89a"}[kind]
        return magic + junk

    kinds = st.sampled_from(["truncated", "corrupted", "huge-header", "png", "jpeg", "gif", "valid"])
    bodies = st.builds(image, kinds, st.integers(0, 10_000), st.binary(max_size=256))
    types = st.sampled_from(["image/png", "image/jpeg", "image/gif", "image/webp", "image/x-image"])
    return _with_category("broken-image", bodies, types)


def broken_audio() -> st.SearchStrategy[FuzzRequest]:
    wav = wav_bytes(0.05)

    def audio(kind: str, cut: int, junk: bytes) -> bytes:
        if kind == "truncated":
            return wav[: cut % len(wav)]
        if kind == "bad-format":  # 7 channels, 3 bits, rate 0
            return wav[:22] + struct.pack("<HIIHH", 7, 0, 0, 0, 3) + wav[36:]
        if kind == "wav":
            return wav
        return {"riff": b"RIFF\x00\x00\x00\x00WAVE", "flac": b"fLaC", "ogg": b"OggS"}[kind] + junk

    kinds = st.sampled_from(["truncated", "bad-format", "wav", "riff", "flac", "ogg"])
    bodies = st.builds(audio, kinds, st.integers(0, 5000), st.binary(max_size=256))
    types = st.sampled_from(["audio/wav", "audio/x-wav", "audio/x-flac", "audio/mpeg", "audio/ogg"])
    return _with_category("broken-audio", bodies, types)


def npy_bodies() -> st.SearchStrategy[FuzzRequest]:
    def npy(kind: str, values: list[float], junk: bytes) -> bytes:
        import numpy

        buffer = io.BytesIO()
        if kind == "pickled":  # an object array: loading it would unpickle
            numpy.save(buffer, numpy.array([{"a": 1}, None], dtype=object), allow_pickle=True)
        elif kind in ("numbers", "truncated"):
            numpy.save(buffer, numpy.array(values, dtype="float32"))
        elif kind == "strings":
            numpy.save(buffer, numpy.array([GOOD_TEXT, "x"]))
        else:
            return b"\x93NUMPY" + junk
        data = buffer.getvalue()
        return data if kind != "truncated" else data[: len(data) // 2]

    kinds = st.sampled_from(["pickled", "numbers", "strings", "truncated", "junk"])
    values = st.lists(st.floats(allow_nan=True, width=32), max_size=20)
    bodies = st.builds(npy, kinds, values, st.binary(max_size=128))
    return _with_category("npy", bodies, st.just("application/x-npy"))


def content_types() -> st.SearchStrategy[FuzzRequest]:
    weird = st.sampled_from(
        [
            "",
            "json",
            "application/",
            "/json",
            "application/json;;;",
            'application/json; charset="utf-8',
            "application/json; charset=utf-8; charset=latin-1",
            "APPLICATION/JSON",
            "application/json ; charset = utf-8",
            "text/plain",
            "multipart/form-data; boundary=x",
            "application/x-www-form-urlencoded",
            "*/*",
        ]
    )
    body = st.just(_json({"inputs": GOOD_TEXT}))
    return _with_category("content-type", body, weird | header_text)


def accepts() -> st.SearchStrategy[FuzzRequest]:
    def accept_header(types: list[str], qualities: list[str]) -> str:
        return ", ".join(f"{kind};q={quality}" for kind, quality in zip(types, qualities, strict=False))

    quality = st.sampled_from(["1", "0", "0.5", "-1", "2", "abc", "nan", "inf", "1e999", ""])
    types = st.lists(
        st.sampled_from([*KNOWN_ACCEPTS, "image/png", "text/*", "application/*", "x/y"]), max_size=4
    )
    composed = st.builds(accept_header, types, st.lists(quality, min_size=4, max_size=4))
    body = st.just(_json({"inputs": GOOD_TEXT}))
    return _with_category("accept", body, st.just(JSON), composed | header_text)


def oversize(limit_bytes: int) -> st.SearchStrategy[FuzzRequest]:
    def body(extra: int) -> bytes:
        return b'{"inputs": "' + b"a" * (limit_bytes + extra) + b'"}'

    return st.builds(
        FuzzRequest,
        category=st.just("oversize"),
        body=st.sampled_from([1, 4096, limit_bytes]).map(body),
        chunked=st.booleans(),
    )


CATEGORIES = (
    "good",
    "random-bytes",
    "invalid-utf8",
    "deep-json",
    "huge-json",
    "wrong-types",
    "bad-csv",
    "json-lines",
    "broken-image",
    "broken-audio",
    "npy",
    "content-type",
    "accept",
    "oversize",
)


def single_requests(limit_bytes: int) -> st.SearchStrategy[FuzzRequest]:
    """One request of any category; ``limit_bytes`` is the server's SAGEMAKER_MAX_PAYLOAD_IN_MB."""
    return st.one_of(
        good_requests(),
        random_bytes(),
        invalid_utf8(),
        deep_json(),
        huge_json(),
        wrong_types(),
        bad_csv(),
        json_lines(),
        broken_images(),
        broken_audio(),
        npy_bodies(),
        content_types(),
        accepts(),
        oversize(limit_bytes),
    )


def request_groups(limit_bytes: int, max_burst: int = 8) -> st.SearchStrategy[list[FuzzRequest]]:
    """Mostly one request; one time in four a burst of requests sent together (batched in the worker)."""
    one = single_requests(limit_bytes)
    burst = st.lists(one | good_requests(), min_size=2, max_size=max_burst)
    return st.integers(0, 3).flatmap(lambda draw: burst if draw == 0 else one.map(lambda request: [request]))
