"""Every documented task served over real HTTP by ``python -m sagemaker_hf.toolkit serve``:
one server per task on a tiny model (the real all-MiniLM-L6-v2 for sentence similarity),
started three at a time, each answering its example request and the bodies users send
(raw images and audio, CSV) and refusing malformed ones with a 4xx that says why."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sagemaker_hf.testing import samples
from tests.fixtures.toolkit_server import running_server
from tests.toolkit.tasks.test_every_task import CHECKS

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Call:
    body: Any  # a JSON-able request, or raw bytes with ``content_type``
    content_type: str = "application/json"
    status: int = 200
    fragment: str = ""  # expected in an error message
    check: str | None = None  # CHECKS key for a 200 answer; defaults to the case's task


@dataclass(frozen=True)
class Case:
    hf_task: str | None  # None: the server infers the task
    model: str  # a tiny model's task, or "minilm"
    calls: tuple[Call, ...]
    ready: bool = True  # False: the model must fail to load
    env: dict[str, str] = field(default_factory=dict)


def example(task: str, **overrides: Any) -> Call:
    return Call(body=samples.example_request(task), **overrides)


PNG, WAV = samples.png_bytes(), samples.wav_bytes()
TEXT = samples.DOCUMENTED_REQUESTS["text-classification"]["inputs"]

CASES: dict[str, Case] = {
    "text-classification": Case(
        None,
        "text-classification",
        (
            example("text-classification"),
            Call(
                b"inputs\nI love this movie\nthis movie is terrible\n", "text/csv", check="csv-classification"
            ),
            Call({"inputs": TEXT, "parameters": {"top_kk": 1}}, status=400, fragment="'top_kk'"),
        ),
    ),
    "sentiment-analysis": Case("sentiment-analysis", "text-classification", (example("sentiment-analysis"),)),
    "token-classification": Case(None, "token-classification", (example("token-classification"),)),
    "feature-extraction": Case("feature-extraction", "feature-extraction", (example("feature-extraction"),)),
    "fill-mask": Case(
        None,
        "fill-mask",
        (example("fill-mask"), Call({"inputs": "no mask"}, status=400, fragment="mask token [MASK]")),
    ),
    "question-answering": Case(
        None,
        "question-answering",
        (
            example("question-answering"),
            Call({"inputs": {"question": "What?"}}, status=400, fragment="missing 'context'"),
        ),
    ),
    "summarization": Case("summarization", "summarization", (example("summarization"),)),
    "translation_en_to_fr": Case(
        "translation_en_to_fr",
        "translation_en_to_fr",
        (
            example("translation_en_to_fr"),
            Call(
                {"inputs": "hello", "parameters": {"max_new_tokenz": 2}},
                status=400,
                fragment="max_new_tokenz",
            ),
        ),
    ),
    "text2text-generation": Case(None, "text2text-generation", (example("text2text-generation"),)),
    "text-generation": Case(None, "text-generation", (example("text-generation"),)),
    "conversational": Case(
        "conversational",
        "conversational",
        (
            example("conversational"),
            Call(
                {"inputs": {"text": "Hi", "past_user_inputs": [], "generated_responses": []}},
                check="conversation-object",
            ),
            Call({"inputs": 42}, status=400, fragment="Send a list of messages"),
        ),
    ),
    "audio-classification": Case(
        None, "audio-classification", (example("audio-classification"), Call(WAV, "audio/wav"))
    ),
    "automatic-speech-recognition": Case(
        None,
        "automatic-speech-recognition",
        (example("automatic-speech-recognition"), Call(WAV, "audio/x-wav")),
    ),
    "image-classification": Case(
        None,
        "image-classification",
        (
            example("image-classification"),
            Call(PNG, "image/png"),
            Call({"inputs": "https://example.com/cat.png"}, status=400, fragment="URLs are not fetched"),
        ),
    ),
    "image-segmentation": Case(
        "image-segmentation", "image-segmentation", (example("image-segmentation"), Call(PNG, "image/png"))
    ),
    "object-detection": Case(None, "object-detection", (example("object-detection"),)),
    "table-question-answering": Case(
        None,
        "table-question-answering",
        (
            example("table-question-answering"),
            Call(b"inputs\nHow many stars?\n", "text/csv", status=415, fragment="text/csv"),
        ),
    ),
    "zero-shot-classification": Case(
        "zero-shot-classification",
        "zero-shot-classification",
        (
            example("zero-shot-classification"),
            Call({"inputs": "I want a refund"}, status=400, fragment="candidate_labels"),
        ),
    ),
    "zero-shot-image-classification": Case(
        None, "zero-shot-image-classification", (example("zero-shot-image-classification"),)
    ),
    "sentence-embeddings": Case(None, "sentence-embeddings", (example("sentence-embeddings"),)),
    "sentence-similarity": Case(
        "sentence-similarity", "minilm", (example("sentence-similarity", check="minilm-similarity"),)
    ),
    "unknown-task": Case(
        "text-clasification", "text-classification", (Call({"inputs": "hi"}, status=503),), ready=False
    ),
}


def check_csv_classification(result: Any, request: Any) -> None:
    assert len(result) == 2 and all(set(entry) == {"label", "score"} for entry in result)


def check_conversation_object(result: Any, request: Any) -> None:
    assert set(result) == {"generated_text", "conversation"}
    assert result["conversation"]["past_user_inputs"] == ["Hi"]


def check_minilm_similarity(result: Any, request: Any) -> None:
    bread, stocks = result["similarities"]
    assert bread == pytest.approx(0.755, abs=0.01) and stocks == pytest.approx(-0.017, abs=0.01)


HTTP_CHECKS = {
    **CHECKS,
    "csv-classification": check_csv_classification,
    "conversation-object": check_conversation_object,
    "minilm-similarity": check_minilm_similarity,
}


@dataclass
class Exchange:
    call: Call
    status: int
    content_type: str
    text: str


def load_failed(response: Any) -> bool:
    return response.status_code == 503 and response.json().get("type") != "NotReadyError"


def serve(case: Case, model_dir: Path) -> tuple[list[Exchange], str]:
    """Start a server for ``case``, send its calls, and return the answers and the ping body."""
    env = {**case.env, **({"HF_TASK": case.hf_task} if case.hf_task else {})}
    with running_server(model_dir, env=env, wait_ready=case.ready) as server:
        ping = "" if case.ready else server.wait_for_ping(load_failed, timeout=60).text
        exchanges = []
        for call in case.calls:
            if isinstance(call.body, bytes):
                response = server.client.post(
                    "/invocations", content=call.body, headers={"Content-Type": call.content_type}
                )
            else:
                response = server.client.post("/invocations", json=call.body)
            exchanges.append(
                Exchange(call, response.status_code, response.headers["content-type"], response.text)
            )
        return exchanges, ping


@pytest.fixture(scope="module")
def answers(request, tiny_models, minilm_model_dir) -> dict[str, tuple[list[Exchange], str] | BaseException]:
    """The answers of every selected case's server (``-k`` starts only the servers it needs)."""
    selected = [
        item.callspec.params["name"]
        for item in request.session.items
        if item.module is request.module and hasattr(item, "callspec")
    ]
    directories = {  # built here, in one thread, before the servers start
        name: minilm_model_dir if CASES[name].model == "minilm" else tiny_models[CASES[name].model]
        for name in selected
    }

    def run(name: str) -> tuple[list[Exchange], str] | BaseException:
        try:
            return serve(CASES[name], directories[name])
        except Exception as error:  # reported by that case's test, with the server log
            return error

    # Three at a time: each server's worker spends seconds importing transformers on 2 cores.
    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip(selected, pool.map(run, selected), strict=True))


@pytest.mark.parametrize("name", list(CASES))
def test_task_over_http(answers, name):
    outcome = answers[name]
    if isinstance(outcome, BaseException):
        raise outcome
    exchanges, ping = outcome
    case = CASES[name]
    for exchange in exchanges:
        call = exchange.call
        assert exchange.status == call.status, exchange.text
        assert exchange.content_type.startswith("application/json")
        body = json.loads(exchange.text)
        if call.status != 200:
            assert body["code"] == call.status and call.fragment in body["message"]
            continue
        request = call.body if isinstance(call.body, dict) else {"inputs": None}
        check = call.check or (case.hf_task or name)
        if isinstance(call.body, bytes) and check in ("image-classification", "image-segmentation"):
            assert isinstance(body, list) and body
            continue
        HTTP_CHECKS[check](body, request)
    if not case.ready:
        assert "Did you mean 'text-classification'?" in ping and "Set HF_TASK" in ping
