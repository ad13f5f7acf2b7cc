"""inference.py hooks, signatures, the compat import and requirements.txt (no server)."""

from __future__ import annotations

import io
import json
import logging
import sys
import textwrap
from pathlib import Path

import pytest

from sagemaker_hf.toolkit.compat import ALIAS, install_alias
from sagemaker_hf.toolkit.errors import BadInputError, ModelError, ModelLoadError
from sagemaker_hf.toolkit.user_code import (
    context_mode,
    find_user_module,
    install_requirements,
    load_hooks,
    make_context,
)


def write_module(folder: Path, source: str, name: str = "inference.py") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


# ---------------------------------------------------------------- signatures

# (hook, signature source, expected mode)
SIGNATURES = [
    ("model_fn", "def f(model_dir): ...", "none"),
    ("model_fn", "def f(model_dir, context): ...", "positional"),
    ("model_fn", "def f(model_dir, context=None): ...", "positional"),
    ("model_fn", "def f(model_dir, ctx): ...", "positional"),
    ("model_fn", "def f(model_dir, extra_required): ...", "positional"),  # a required 2nd argument
    ("model_fn", "def f(model_dir, *, context=None): ...", "keyword"),
    ("model_fn", "def f(*args): ...", "none"),
    ("model_fn", "def f(model_dir, **kwargs): ...", "none"),
    ("predict_fn", "def f(data, model, *args): ...", "none"),  # AWS toolkit issue #126
    ("predict_fn", "def f(data, model, *args, context=None): ...", "keyword"),
    ("output_fn", "def f(prediction, accept, indent=2): ...", "none"),  # an unrelated default
    ("output_fn", "def f(prediction, accept='application/json'): ...", "none"),
    ("input_fn", "def f(input_data, content_type, context): ...", "positional"),
    ("transform_fn", "def f(model, data, content_type, accept): ...", "none"),
    ("transform_fn", "def f(a, b, c, d, context=None): ...", "positional"),
    ("transform_fn", "def f(model, data, content_type, accept, context, verbose=False): ...", "positional"),
]


@pytest.mark.parametrize(("hook", "source", "mode"), SIGNATURES)
def test_context_is_detected_from_the_signature(hook, source, mode):
    namespace: dict = {}
    exec(source, namespace)
    assert context_mode(hook, namespace["f"]) == mode


@pytest.mark.parametrize(
    ("hook", "source", "problem"),
    [
        ("predict_fn", "def f(data): ...", "accepts only 1 positional arguments"),
        ("input_fn", "def f(a, b, c, d): ...", "requires 4 positional arguments"),
        ("model_fn", "def f(model_dir, *, device): ...", "keyword-only arguments device"),
    ],
)
def test_hooks_that_cannot_be_called_fail_at_load_with_the_call_shape(hook, source, problem):
    namespace: dict = {}
    exec(source, namespace)
    with pytest.raises(ModelLoadError) as caught:
        context_mode(hook, namespace["f"])
    assert problem in caught.value.message
    assert f"The toolkit calls {hook}(" in caught.value.message


def test_builtin_callables_without_signatures_are_called_plainly():
    assert context_mode("model_fn", len) in ("none", "positional")


def test_hooks_receive_the_context_the_way_they_ask(tmp_path):
    path = write_module(
        tmp_path / "code",
        """
        def model_fn(model_dir, context=None):
            properties = context.system_properties
            return ("model", model_dir, properties["gpu_id"], properties["model_dir"])

        def input_fn(input_data, content_type, *, context):
            return (input_data, content_type, context.model_name)

        def predict_fn(data, model, *args):
            return (data, model, args)

        def output_fn(prediction, accept):
            return str(prediction)
        """,
    )
    hooks = load_hooks(path)
    context = make_context(tmp_path, None, 0)
    assert hooks.names == ["model_fn", "input_fn", "predict_fn", "output_fn"]
    assert hooks.model_fn("/m", context=context) == ("model", "/m", None, str(tmp_path))
    assert hooks.input_fn("body", "application/json", context=context) == (
        "body",
        "application/json",
        "model",
    )
    assert hooks.predict_fn(1, 2, context=context) == (1, 2, ())
    assert hooks.reads_input and hooks.writes_output


def test_transform_fn_with_other_hooks_is_an_error_naming_both(tmp_path):
    path = write_module(
        tmp_path / "code",
        """
        def transform_fn(model, data, content_type, accept): ...
        def input_fn(data, content_type): ...
        def output_fn(prediction, accept): ...
        """,
    )
    with pytest.raises(ModelLoadError, match="defines transform_fn together with input_fn, output_fn"):
        load_hooks(path)


def test_missing_hooks_are_none_so_defaults_run(tmp_path):
    hooks = load_hooks(write_module(tmp_path / "code", "def model_fn(model_dir):\n    return 1\n"))
    assert hooks.names == ["model_fn"]
    assert hooks.input_fn is None and hooks.transform_fn is None
    assert not hooks.reads_input and not hooks.writes_output


def test_user_modules_import_their_siblings(tmp_path):
    code = tmp_path / "code"
    write_module(code, "GREETING = 'hello from helper'\n", name="helper_for_sibling_test.py")
    path = write_module(
        code,
        "import helper_for_sibling_test\n\ndef model_fn(d):\n    return helper_for_sibling_test.GREETING\n",
    )
    hooks = load_hooks(path)
    assert hooks.model_fn("/m", context=make_context(tmp_path, None, 0)) == "hello from helper"


def test_an_import_error_in_user_code_is_a_load_error(tmp_path):
    path = write_module(tmp_path / "code", "import package_that_does_not_exist_xyz\n")
    with pytest.raises(
        ModelLoadError, match="ModuleNotFoundError: No module named 'package_that_does_not_exist_xyz'"
    ):
        load_hooks(path)


def test_a_raising_hook_becomes_a_500_naming_the_hook_and_logs_the_traceback(tmp_path, caplog):
    path = write_module(tmp_path / "code", "def predict_fn(data, model):\n    raise KeyError('label')\n")
    hooks = load_hooks(path)
    with caplog.at_level(logging.ERROR), pytest.raises(ModelError) as caught:
        hooks.predict_fn({}, None, context=make_context(tmp_path, None, 0))
    assert caught.value.message == "predict_fn in user code raised KeyError: 'label'"
    assert "Traceback" not in caught.value.message
    assert "Traceback" in caplog.text


def test_a_hook_calling_sys_exit_does_not_end_the_worker(tmp_path):
    path = write_module(tmp_path / "code", "import sys\ndef predict_fn(data, model):\n    sys.exit(3)\n")
    with pytest.raises(ModelError, match="raised SystemExit"):
        load_hooks(path).predict_fn({}, None, context=make_context(tmp_path, None, 0))


def test_find_user_module(tmp_path):
    assert find_user_module(tmp_path, "inference.py", explicit=False) is None
    with pytest.raises(ModelLoadError, match=r"SAGEMAKER_PROGRAM=serve\.py but"):
        find_user_module(tmp_path, "serve.py", explicit=True)
    path = write_module(tmp_path, "", name="serve.py")
    assert find_user_module(tmp_path, "serve.py", explicit=True) == path


# ---------------------------------------------------------------- the AWS toolkit's import


@pytest.fixture
def compat_alias(monkeypatch):
    for name in [name for name in sys.modules if name.startswith(ALIAS)]:
        monkeypatch.delitem(sys.modules, name)
    assert install_alias() is True
    yield
    for name in [name for name in sys.modules if name.startswith(ALIAS)]:
        monkeypatch.delitem(sys.modules, name, raising=False)


def test_compat_decoder_encoder_matches_the_aws_shapes(compat_alias):
    from sagemaker_huggingface_inference_toolkit import content_types, decoder_encoder

    assert decoder_encoder.decode('{"inputs": "x"}', "application/json") == {"inputs": "x"}
    assert decoder_encoder.decode(b'{"inputs": "x"}', "application/json; charset=utf-8") == {"inputs": "x"}
    assert decoder_encoder.decode("inputs\na\nb\n", content_types.CSV) == {"inputs": ["a", "b"]}
    assert decoder_encoder.decode(b"ID3...", content_types.MP3) == {"inputs": b"ID3..."}
    assert decoder_encoder.encode([{"label": "POS"}], "application/json") == '[{"label":"POS"}]'
    assert decoder_encoder.encode([{"label": "POS"}], content_types.CSV) == "label\r\nPOS\r\n"
    assert isinstance(decoder_encoder.encode([1.0, 2.0], content_types.NPY), bytes)
    assert decoder_encoder.encode_json({"a": 1}) == '{"a":1}'
    assert decoder_encoder.decode_json(b"[1]") == [1]
    with pytest.raises(BadInputError):
        decoder_encoder.decode("{broken", "application/json")


@pytest.mark.parametrize("body", [b"", b"  \n", b"{broken", b'{"inputs": }'])
def test_compat_decode_raises_json_decode_error_for_bad_json_as_the_aws_toolkit(compat_alias, body):
    from sagemaker_huggingface_inference_toolkit import decoder_encoder

    with pytest.raises(json.JSONDecodeError) as caught:
        decoder_encoder.decode(body, "application/json")
    assert isinstance(caught.value, BadInputError) and caught.value.status == 400


def test_compat_encoders_take_the_accept_type_argument(compat_alias):
    from sagemaker_huggingface_inference_toolkit import content_types, decoder_encoder

    rows = [{"label": "POS", "score": 0.5}]
    assert decoder_encoder.encode_json(rows, content_types.JSON) == '[{"label":"POS","score":0.5}]'
    assert decoder_encoder.encode_csv(rows, content_types.CSV) == "label,score\r\nPOS,0.5\r\n"
    assert decoder_encoder.encode(rows, accept_type=content_types.JSON) == decoder_encoder.encode_json(rows)


def test_compat_encode_image_writes_the_format_the_accept_type_names(compat_alias):
    from PIL import Image
    from sagemaker_huggingface_inference_toolkit import content_types, decoder_encoder

    image = Image.new("RGB", (5, 3), "red")
    for accept_type, image_format in [
        (content_types.PNG, "PNG"),
        (content_types.JPEG, "JPEG"),
        (content_types.X_IMAGE, "PNG"),
        (content_types.WEBP, "WEBP"),
    ]:
        written = Image.open(io.BytesIO(decoder_encoder.encode_image(image, accept_type)))
        assert (written.format, written.size) == (image_format, (5, 3))
    assert decoder_encoder.encode(image, content_types.GIF)[:3] == b"GIF"
    assert decoder_encoder.encode_image(image) == decoder_encoder.encode_image(image, content_types.PNG)


def test_compat_alias_is_importable_as_a_submodule(compat_alias):
    import sagemaker_huggingface_inference_toolkit.decoder_encoder as direct

    from sagemaker_hf.toolkit.compat import decoder_encoder

    assert direct is decoder_encoder


def test_compat_alias_is_not_installed_twice(compat_alias):
    assert install_alias() is False


# ---------------------------------------------------------------- requirements.txt


def test_requirements_with_only_comments_skip_pip(tmp_path, caplog):
    path = tmp_path / "requirements.txt"
    path.write_text("# nothing yet\n\n", encoding="utf-8")
    started = []
    with caplog.at_level(logging.INFO):
        install_requirements(path, on_start=started.append)
    assert started == []
    assert "lists no packages" in caplog.text


def test_requirements_that_are_already_satisfied_install_nothing(tmp_path, caplog):
    path = tmp_path / "requirements.txt"
    path.write_text("numpy\n", encoding="utf-8")
    started = []
    with caplog.at_level(logging.INFO):
        install_requirements(path, on_start=started.append)
    assert len(started) == 1  # pip ran
    assert started[0].args[:4] == [sys.executable, "-m", "pip", "install"]
    assert "Requirement already satisfied: numpy" in caplog.text


@pytest.mark.parametrize(
    ("line", "pip_says"),
    [
        ("this is not a requirement!!", "Invalid requirement"),
        ("./no/such/local/package", "no/such/local/package"),
    ],
)
def test_failed_requirements_raise_with_pips_last_lines(tmp_path, line, pip_says):
    path = tmp_path / "requirements.txt"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ModelLoadError) as caught:
        install_requirements(path)
    assert f"installing {path} failed (pip exit code" in caught.value.message
    assert pip_says in caught.value.message


def test_no_requirements_file_is_fine(tmp_path):
    install_requirements(tmp_path / "requirements.txt")
