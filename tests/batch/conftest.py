"""Helpers for the batch transform tests: models to transform with, input files, job checks."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sagemaker_hf import HuggingFaceModel
from tests.fixtures.local_mode import LOCAL_VERSIONS
from tests.sdk.conftest import RequestLog

# User code that loads at once (no transformers): each answer shows the record it answers,
# so order and alignment can be checked exactly. A record {"gate": "<path>"} creates
# <path>.reached, then is held until <path> exists (at most 60 s): a test knows a request is
# in flight, and decides when it ends. A record {"mark": "<path>"} creates <path> when the
# model gets it: a test knows the job has sent it.
ECHO_CODE = """
    import os
    import time

    def model_fn(model_dir):
        return "echo"

    def predict_fn(data, model):
        if isinstance(data, dict) and data.get("mark"):
            open(data["mark"], "w").close()
        gate = data.get("gate") if isinstance(data, dict) else None
        if gate:
            open(gate + ".reached", "w").close()
            deadline = time.monotonic() + 60
            while not os.path.exists(gate) and time.monotonic() < deadline:
                time.sleep(0.02)
        return {"echo": data}
"""

WORDS = ["good", "bad", "movie", "film", "great", "awful", "plot", "actor", "scene", "music"]


def sentence(number: int) -> str:
    """A short distinct text for record ``number``."""
    return (
        " ".join(WORDS[(number * 7 + step * 3) % len(WORDS)] for step in range(1 + number % 5)) + f" {number}"
    )


def write_jsonl(path: Path, count: int, first: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        for number in range(first, first + count):
            handle.write(json.dumps({"id": number, "inputs": sentence(number)}) + "\n")
    return path


def write_csv(path: Path, count: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        for number in range(count):
            handle.write(f'{number},"{sentence(number)}, really"\n')
    return path


def with_line(path: Path, number: int, text: str) -> Path:
    """Replace line ``number`` (1-based) of ``path`` with ``text``."""
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[number - 1] = text
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def echoed_ids(path: Path) -> list[int]:
    """The ``id`` of each record an echo model's output file answers, in order."""
    return [json.loads(line)["echo"]["id"] for line in output_lines(path)]


def output_lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n"), "AssembleWith=Line ends every record's output with a newline"
    return text[:-1].split("\n")


@pytest.fixture
def requests_log(moto_session: Any) -> RequestLog:
    log = RequestLog(service="sagemaker")
    log.attach(moto_session.boto_session)
    return log


@pytest.fixture(scope="module")
def batch_session(local_session: Any) -> Iterator[Any]:
    """The module's LocalSession; fails the module if a transform job is still running at its end."""
    from sagemaker_hf.local.batch.jobs import IN_PROGRESS, TransformJobRecord

    yield local_session
    registry = local_session.sagemaker_client.registry
    running = [record.name for record in registry.all(TransformJobRecord) if record.status in IN_PROGRESS]
    assert not running, f"transform jobs left running: {running}"


def user_code_model(session: Any, code_dir: Path, code: str) -> HuggingFaceModel:
    """A model served by ``code`` as its ``inference.py`` (no weights, so it loads at once)."""
    (code_dir / "inference.py").write_text(textwrap.dedent(code))
    return HuggingFaceModel(
        entry_point="inference.py",
        source_dir=str(code_dir),
        sagemaker_session=session,
        **LOCAL_VERSIONS,
    )


@pytest.fixture(scope="module")
def echo_model(batch_session: Any, tmp_path_factory: pytest.TempPathFactory) -> HuggingFaceModel:
    return user_code_model(batch_session, tmp_path_factory.mktemp("echo-code"), ECHO_CODE)


def task_model(session: Any, tiny_models: Any, task: str) -> HuggingFaceModel:
    """The tiny random model of ``task``, served by the toolkit's pipeline for it."""
    return HuggingFaceModel(
        model_data=str(tiny_models[task]), env={"HF_TASK": task}, sagemaker_session=session, **LOCAL_VERSIONS
    )


@pytest.fixture(scope="module")
def classifier(batch_session: Any, tiny_models: Any) -> HuggingFaceModel:
    """The tiny random text-classification model (labels NEGATIVE / POSITIVE)."""
    return task_model(batch_session, tiny_models, "text-classification")
