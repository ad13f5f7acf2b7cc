"""Batching inside the worker (no server): a tiny text-classification model behind the
Handler, answering several requests at once exactly as it answers each alone."""

from __future__ import annotations

import json
import math

import pytest

from sagemaker_hf.toolkit import messages
from sagemaker_hf.toolkit.errors import BadInputError, ModelError
from sagemaker_hf.toolkit.handler import Handler
from sagemaker_hf.toolkit.settings import Settings
from sagemaker_hf.toolkit.user_code import UserHooks, load_hooks, make_context

JSON = "application/json"


@pytest.fixture(scope="module")
def handler(tiny_models):
    model_dir = tiny_models["text-classification"]
    settings = Settings(model_dir=model_dir, hf_task="text-classification", max_batch_size=3)
    handler = Handler(settings, model_dir, UserHooks(), make_context(model_dir, None, 0), "cpu")
    handler.setup()
    return handler


def request(number: int, body: object, content_type: str = JSON) -> messages.Request:
    return messages.Request(number, json.dumps(body).encode(), content_type, JSON)


def close(left, right) -> bool:
    if isinstance(left, float):
        return math.isclose(left, right, rel_tol=1e-4, abs_tol=1e-5)
    if isinstance(left, list):
        return len(left) == len(right) and all(close(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(close(left[key], right[key]) for key in left)
    return left == right


BODIES = [
    {"inputs": "I love this"},
    {"inputs": ["short", "a much longer sentence about the weather today"]},
    {"inputs": "terrible", "parameters": {"top_k": 2}},
    {"inputs": "fine, I guess"},
    {"inputs": {"text": "a question", "text_pair": "an answer"}},
    {"inputs": "great", "parameters": {"top_k": 2}},
    {"inputs": "the last one"},
]


def test_the_task_model_batches(handler):
    assert handler.batchable and not handler.streams


def test_batched_answers_equal_answers_one_by_one(handler):
    alone = [json.loads(handler.handle(json.dumps(body).encode(), JSON, JSON).body) for body in BODIES]
    together = handler.handle_many([request(n, body) for n, body in enumerate(BODIES)])
    assert all(not isinstance(answer, Exception) for answer in together), together
    for expected, answer in zip(alone, together, strict=True):
        assert close(json.loads(answer.body), expected)
        assert set(answer.timings) == {"decode", "predict", "encode"}


def test_a_bad_request_fails_only_itself(handler):
    bodies = [{"inputs": "good"}, {"inputs": 42}, b"{not json", {"inputs": "x", "parameters": "top_k"}]
    requests = [
        messages.Request(n, body if isinstance(body, bytes) else json.dumps(body).encode(), JSON, JSON)
        for n, body in enumerate([*bodies, {"inputs": "also good"}])
    ]
    answers = handler.handle_many(requests)
    assert [type(answer).__name__ for answer in answers] == [
        "Result",
        "BadInputError",
        "InvalidJSONError",  # a BadInputError (400) that is also a json.JSONDecodeError
        "BadInputError",
        "Result",
    ]
    assert "text-classification expects 'inputs'" in answers[1].message
    assert '"parameters" must be an object' in answers[3].message


@pytest.mark.parametrize("depth", [65, 980, 995])
def test_inputs_nested_too_deep_get_a_400_at_any_stack_depth(handler, depth):
    # Near the recursion limit the first walk or repr of such inputs used to fail with
    # RecursionError, a 500, depending on how deep the worker's own stack was.
    deep = ("[" * depth + "1" + "]" * depth).encode()
    requests = [request(0, {"inputs": "good"}), messages.Request(1, deep, JSON, JSON)]
    answers = handler.handle_many(requests)
    assert type(answers[0]).__name__ == "Result"
    assert answers[1].status == 400  # deep enough, the JSON decoder refuses it first
    assert "more than 64 levels deep" in answers[1].message or "too deeply" in answers[1].message
    shallow = handler.handle_many([request(2, {"inputs": [[["a"]]]})])[0]  # the task's own answer
    assert type(shallow).__name__ in {"Result", "BadInputError"} and "levels deep" not in str(shallow)


def test_json_lines_records_run_as_batches_and_keep_their_order(handler):
    records = [{"inputs": f"record number {n}"} for n in range(7)]
    body = "\n".join(json.dumps(record) for record in records).encode()
    together = handler.handle(body, "application/jsonlines", "application/jsonlines")
    alone = [json.loads(handler.handle(json.dumps(r).encode(), JSON, JSON).body) for r in records]
    lines = [json.loads(line) for line in together.body.split(b"\n")]
    assert close(lines, alone)


def test_a_bad_record_names_its_number(handler):
    body = b'{"inputs": "fine"}\n{"inputs": 7}\n{"inputs": "fine too"}'
    with pytest.raises(BadInputError, match="record 2 of 3: text-classification expects 'inputs'"):
        handler.handle(body, "application/jsonlines", "application/jsonlines")


def test_stream_true_is_refused_by_a_model_that_cannot_stream(handler):
    with pytest.raises(BadInputError, match=r'"stream": true is answered with server-sent events'):
        handler.handle(b'{"inputs": "hi", "stream": true}', JSON, JSON)
    assert handler.handle(b'{"inputs": "hi", "stream": false}', JSON, JSON).body


class CrashingModel:
    """A task model whose shared call crashes when it holds the input "boom"."""

    task = "text-classification"
    batchable = True
    accepts_csv = True

    def __init__(self) -> None:
        self.calls: list[list] = []

    def predict(self, inputs, parameters):
        self.calls.append([inputs])
        if inputs == "boom":
            raise RuntimeError("CUDA error: an illegal memory access")
        return {"label": inputs}

    def predict_batch(self, inputs, parameters):
        self.calls.append(list(inputs))
        if "boom" in inputs:
            raise RuntimeError("CUDA error: an illegal memory access")
        return [{"label": item} for item in inputs]


def test_a_crashing_shared_call_is_retried_one_by_one(tmp_path, monkeypatch):
    from sagemaker_hf.toolkit import tasks

    model = CrashingModel()
    monkeypatch.setattr(tasks, "resolve_task", lambda model_dir, hf_task: "text-classification")
    monkeypatch.setattr(tasks, "load_task_model", lambda task, model_dir, *, device, trust_remote_code: model)
    (tmp_path / "config.json").write_text("{}")
    settings = Settings(model_dir=tmp_path, max_batch_size=8)
    handler = Handler(settings, tmp_path, UserHooks(), make_context(tmp_path, None, 0), "cpu")
    handler.setup()
    answers = handler.handle_many([request(n, {"inputs": text}) for n, text in enumerate(["a", "boom", "c"])])
    assert json.loads(answers[0].body) == {"label": "a"}
    assert isinstance(answers[1], ModelError)
    assert "the text-classification model raised RuntimeError: CUDA error" in answers[1].message
    assert json.loads(answers[2].body) == {"label": "c"}
    assert model.calls == [["a", "boom", "c"], ["a"], ["boom"], ["c"]]


def test_sentence_batches_run_in_chunks_of_similar_length():
    from sagemaker_hf.toolkit.tasks.sentence import length_chunks

    assert length_chunks([8, 21, 9, 12, 19, 8, 40]) == [[0, 5, 2, 3], [4, 1], [6]]
    assert [len(chunk) for chunk in length_chunks([5] * 70)] == [32, 32, 6]


def test_minilm_batched_embeddings_equal_embeddings_alone(minilm_model_dir):
    from sagemaker_hf.toolkit.tasks import load_task_model

    model = load_task_model("sentence-embeddings", minilm_model_dir, device="cpu", trust_remote_code=False)
    sentences = [
        "Hi",
        "A much longer sentence about the weather in the mountains today.",
        "Cats",
        "Dogs bark.",
    ]
    together = model.predict_batch([*sentences, sentences], {})
    for sentence, answer in zip(sentences, together, strict=False):
        assert close(answer, model.predict(sentence, {}))
    assert close(together[-1], model.predict(sentences, {}))


RECORDING_OUTPUT_FN = """
import json

SEEN = []


def output_fn(prediction, accept):
    SEEN.append(type(prediction[0]).__name__)
    return json.dumps(prediction)
"""


def feature_extraction_handler(model_dir, hooks: UserHooks) -> Handler:
    settings = Settings(model_dir=model_dir, hf_task="feature-extraction")
    handler = Handler(settings, model_dir, hooks, make_context(model_dir, None, 0), "cpu")
    handler.setup()
    return handler


def test_token_states_are_arrays_only_where_the_toolkit_encoders_alone_see_them(tiny_models, tmp_path):
    model_dir = tiny_models["feature-extraction"]
    module = tmp_path / "inference.py"
    module.write_text(RECORDING_OUTPUT_FN, encoding="utf-8")
    hooks = load_hooks(module)
    plain = feature_extraction_handler(model_dir, UserHooks())
    hooked = feature_extraction_handler(model_dir, hooks)
    assert plain.model.numpy_answers and not hooked.model.numpy_answers
    texts = ["Hi", "A man is eating food.", "Cats sleep in the sun all afternoon.", "Rain."]
    batch = [request(number, {"inputs": text}) for number, text in enumerate(texts)]
    answers = plain.handle_many(batch)
    hooked_answers = hooked.handle_many(batch)
    assert hooks.output_fn.function.__globals__["SEEN"] == ["list"] * len(texts)  # json.dumps can write it
    for answer, hooked_answer in zip(answers, hooked_answers, strict=True):
        assert close(json.loads(answer.body), json.loads(hooked_answer.body))
