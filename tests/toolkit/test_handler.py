"""The lifecycle inside a worker: setup, decode, predict, encode and the hooks (no server)."""

from __future__ import annotations

import json
import sys
import textwrap
import types
from pathlib import Path

import pytest

from sagemaker_hf.toolkit.errors import (
    BadInputError,
    ModelError,
    ModelLoadError,
    NotAcceptableError,
    UnsupportedMediaTypeError,
)
from sagemaker_hf.toolkit.handler import Handler, split_payload
from sagemaker_hf.toolkit.settings import Settings
from sagemaker_hf.toolkit.user_code import UserHooks, load_hooks, make_context


def build(tmp_path: Path, source: str | None, settings: Settings | None = None) -> Handler:
    hooks = UserHooks()
    if source is not None:
        code = tmp_path / "code"
        code.mkdir(parents=True, exist_ok=True)
        module = code / f"inference_{abs(hash(source))}.py"
        module.write_text(textwrap.dedent(source), encoding="utf-8")
        hooks = load_hooks(module)
    settings = settings or Settings(model_dir=tmp_path)
    handler = Handler(settings, tmp_path, hooks, make_context(tmp_path, None, 0), "cpu")
    handler.setup()
    return handler


ECHO_MODEL = """
def model_fn(model_dir):
    def model(inputs, **parameters):
        if parameters.get("fail"):
            raise ValueError("asked to fail")
        return {"inputs": inputs, "parameters": parameters}
    return model
"""


@pytest.mark.parametrize(
    ("data", "inputs", "parameters"),
    [
        ({"inputs": "a", "parameters": {"top_k": 2}}, "a", {"top_k": 2}),
        ({"inputs": "a", "parameters": None}, "a", {}),
        ({"inputs": ["a", "b"]}, ["a", "b"], {}),
        ({"question": "q", "context": "c"}, {"question": "q", "context": "c"}, {}),
        ("plain text", "plain text", {}),
    ],
)
def test_split_payload(data, inputs, parameters):
    assert split_payload(data) == (inputs, parameters)


@pytest.mark.parametrize("parameters", [[1, 2], "top_k=2", 3])
def test_parameters_must_be_an_object(parameters):
    with pytest.raises(BadInputError, match='"parameters" must be an object'):
        split_payload({"inputs": "a", "parameters": parameters})


def test_user_model_is_called_with_inputs_and_parameters(tmp_path):
    handler = build(tmp_path, ECHO_MODEL)
    result = handler.handle(
        b'{"inputs": "hi", "parameters": {"top_k": 1}}', "application/json", "application/json"
    )
    assert json.loads(result.body) == {"inputs": "hi", "parameters": {"top_k": 1}}
    assert result.content_type == "application/json"
    assert set(result.timings) == {"decode", "predict", "encode"}


def test_a_raising_user_model_is_a_500_naming_it(tmp_path):
    handler = build(tmp_path, ECHO_MODEL)
    with pytest.raises(ModelError, match="the model returned by model_fn raised ValueError: asked to fail"):
        handler.handle(b'{"inputs": "x", "parameters": {"fail": true}}', None, "application/json")


def test_a_model_that_is_not_callable_explains_the_fix(tmp_path):
    handler = build(tmp_path, "def model_fn(model_dir):\n    return {'weights': 1}\n")
    with pytest.raises(ModelError, match=r"not callable; return a callable .* or add a predict_fn"):
        handler.handle(b'{"inputs": 1}', None, "application/json")


def test_a_failing_model_fn_is_a_load_error(tmp_path):
    with pytest.raises(ModelLoadError, match="model_fn in user code raised FileNotFoundError: no weights"):
        build(tmp_path, "def model_fn(model_dir):\n    raise FileNotFoundError('no weights')\n")


def test_json_lines_run_once_per_record_and_answer_one_line_each(tmp_path):
    handler = build(tmp_path, ECHO_MODEL)
    body = b'{"inputs": "a"}\n{"inputs": "b", "parameters": {"k": 1}}\n"c"\n'
    result = handler.handle(body, "application/jsonlines", "application/jsonlines")
    lines = [json.loads(line) for line in result.body.split(b"\n")]
    assert [line["inputs"] for line in lines] == ["a", "b", "c"]
    assert lines[1]["parameters"] == {"k": 1}


def test_a_failing_record_names_its_number(tmp_path):
    handler = build(tmp_path, ECHO_MODEL)
    body = b'{"inputs": "a"}\n{"inputs": "b", "parameters": []}\n'
    with pytest.raises(BadInputError, match="record 2 of 2: "):
        handler.handle(body, "application/jsonlines", "application/jsonlines")


def test_records_refuse_csv_before_running_the_model(tmp_path):
    handler = build(
        tmp_path,
        """
        def model_fn(model_dir):
            def model(inputs, **parameters):
                model.calls.append(inputs)
                return inputs
            model.calls = []
            return model
        """,
    )
    with pytest.raises(NotAcceptableError):
        handler.handle(b'{"inputs": "a"}\n{"inputs": "b"}', "application/json", "text/csv")
    assert handler.model.calls == []


AWS_STYLE = """
from sagemaker_huggingface_inference_toolkit import decoder_encoder

def model_fn(model_dir):
    return lambda text, **kw: [{"label": "POSITIVE", "text": text}]

def input_fn(input_data, content_type):
    data = decoder_encoder.decode(input_data, content_type)
    return data

def predict_fn(data, model):
    outputs = model(data["inputs"])
    return outputs

def output_fn(prediction, accept):
    response = decoder_encoder.encode(prediction, accept)
    return response
"""


def test_the_documented_aws_style_script_runs_unchanged(tmp_path):
    handler = build(tmp_path, AWS_STYLE)
    result = handler.handle(b'{"inputs": "great"}', "application/json; charset=utf-8", "application/json")
    assert json.loads(result.body) == [{"label": "POSITIVE", "text": "great"}]
    csv_result = handler.handle(b'{"inputs": "great"}', "application/json", "text/csv")
    assert csv_result.body == b"label,text\r\nPOSITIVE,great\r\n"
    assert csv_result.content_type == "text/csv"


def test_bad_input_inside_a_user_input_fn_stays_400(tmp_path):
    handler = build(tmp_path, AWS_STYLE)
    with pytest.raises(BadInputError, match="not valid JSON"):
        handler.handle(b"{oops", "application/json", "application/json")


def test_hooks_get_text_for_text_types_and_bytes_otherwise(tmp_path):
    handler = build(
        tmp_path,
        """
        def model_fn(model_dir):
            return None

        def transform_fn(model, input_data, content_type, accept, context):
            return (type(input_data).__name__ + " " + content_type + " " + str(context.gpu_id), "text/plain")
        """,
    )
    text = handler.handle('{"a": "é"}'.encode("latin-1"), "application/json; charset=latin-1", "x/y")
    assert (text.body, text.content_type) == (b"str application/json None", "text/plain")
    binary = handler.handle(b"\x89PNG", "image/png", "application/json")
    assert binary.body == b"bytes image/png None"
    assert set(binary.timings) == {"transform"}


def test_hook_outputs_that_are_not_bytes_are_encoded(tmp_path):
    handler = build(
        tmp_path,
        """
        def model_fn(model_dir):
            return None

        def transform_fn(model, input_data, content_type, accept):
            return {"accept": accept}
        """,
    )
    assert handler.handle(b"{}", None, "application/json").body == b'{"accept":"application/json"}'
    html = handler.handle(b"{}", None, "text/html")  # no encoder for text/html: JSON instead
    assert (html.body, html.content_type) == (b'{"accept":"text/html"}', "application/json")


# ------------------------------------------------ the default setup, with a stand-in tasks module


class FakeTaskModel:
    task = "zero-shot-classification"
    batchable = True
    accepts_csv = False

    def __init__(self):
        self.calls = []

    def predict(self, inputs, parameters):
        self.calls.append((inputs, parameters))
        if inputs == "bad":
            raise BadInputError("inputs must be a sentence")
        if inputs == "crash":
            raise RuntimeError("CUDA out of memory")
        return {"sequence": inputs, "labels": parameters.get("candidate_labels", [])}


@pytest.fixture
def fake_tasks(monkeypatch):
    calls = {}
    module = types.ModuleType("sagemaker_hf.toolkit.tasks")

    def resolve_task(model_dir, hf_task):
        calls["resolve"] = (model_dir, hf_task)
        return hf_task or "zero-shot-classification"

    def load_task_model(task, model_dir, *, device, trust_remote_code):
        calls["load"] = (task, model_dir, device, trust_remote_code)
        calls["model"] = FakeTaskModel()
        return calls["model"]

    module.resolve_task = resolve_task
    module.load_task_model = load_task_model
    monkeypatch.setitem(sys.modules, "sagemaker_hf.toolkit.tasks", module)
    monkeypatch.setattr(sys.modules["sagemaker_hf.toolkit"], "tasks", module, raising=False)
    return calls


def test_default_setup_resolves_and_loads_the_task(tmp_path, fake_tasks):
    (tmp_path / "config.json").write_text("{}")
    settings = Settings(model_dir=tmp_path, hf_task="zero-shot-classification", trust_remote_code=True)
    handler = build(tmp_path, None, settings)
    assert fake_tasks["resolve"] == (tmp_path, "zero-shot-classification")
    assert fake_tasks["load"] == ("zero-shot-classification", tmp_path, "cpu", True)
    assert (handler.task, handler.accepts_csv, handler.batchable) == ("zero-shot-classification", False, True)
    body = b'{"inputs": "refund please", "parameters": {"candidate_labels": ["refund", "faq"]}}'
    result = handler.handle(body, "application/json", "application/json")
    assert json.loads(result.body) == {"sequence": "refund please", "labels": ["refund", "faq"]}
    assert fake_tasks["model"].calls == [("refund please", {"candidate_labels": ["refund", "faq"]})]


def test_default_steps_keep_task_errors_and_wrap_crashes(tmp_path, fake_tasks):
    (tmp_path / "config.json").write_text("{}")
    handler = build(tmp_path, None)
    with pytest.raises(BadInputError, match="inputs must be a sentence"):
        handler.handle(b'{"inputs": "bad"}', None, "application/json")
    with pytest.raises(
        ModelError, match="the zero-shot-classification model raised RuntimeError: CUDA out of memory"
    ):
        handler.handle(b'{"inputs": "crash"}', None, "application/json")
    with pytest.raises(UnsupportedMediaTypeError, match="zero-shot-classification"):
        handler.handle(b"inputs\nhi\n", "text/csv", "application/json")


def test_a_nested_archive_is_reported_with_the_fix(tmp_path, fake_tasks):
    (tmp_path / "my-model").mkdir()
    (tmp_path / "my-model" / "config.json").write_text("{}")
    (tmp_path / "code").mkdir()
    with pytest.raises(ModelLoadError) as caught:
        build(tmp_path, None)
    assert (
        "the archive nests everything in one extra folder 'my-model/'; put the files at the archive root: "
        "tar -czf model.tar.gz -C my-model ."
    ) in caught.value.message
    assert "resolve" not in fake_tasks


def test_a_missing_model_dir_says_which_settings_to_use(tmp_path, fake_tasks):
    settings = Settings(model_dir=tmp_path / "absent")
    hooks = UserHooks()
    handler = Handler(settings, tmp_path / "absent", hooks, make_context(tmp_path, None, 0), "cpu")
    with pytest.raises(ModelLoadError, match=r"does not exist; set SM_MODEL_DIR .* or set HF_MODEL_ID"):
        handler.setup()


def test_a_task_loader_crash_is_a_load_error(tmp_path, fake_tasks, monkeypatch):
    (tmp_path / "config.json").write_text("{}")

    def broken(task, model_dir, *, device, trust_remote_code):
        raise OSError("model.safetensors is truncated")

    monkeypatch.setattr(sys.modules["sagemaker_hf.toolkit.tasks"], "load_task_model", broken)
    with pytest.raises(ModelLoadError, match=r"failed with OSError: model\.safetensors is truncated"):
        build(tmp_path, None)
