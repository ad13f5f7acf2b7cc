"""Helpers for the SDK tests: request capture on the real clients, small model files."""

from __future__ import annotations

import copy
import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

VERSIONS = {"transformers_version": "4.26", "pytorch_version": "1.13", "py_version": "py39"}
CPU_IMAGE = (
    "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:"
    "1.13-transformers4.26-cpu-py39-ubuntu20.04"
)
GPU_IMAGE = (
    "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:"
    "1.13-transformers4.26-gpu-py39-cu117-ubuntu20.04"
)
HUB_ENV = {"HF_MODEL_ID": "distilbert-base-uncased-distilled-squad", "HF_TASK": "question-answering"}


class RequestLog:
    """Every API call made through a boto3 session: (operation, parameters as sent).

    ``service="sagemaker"`` records that service's calls only (S3 uploads carry bodies that
    cannot be copied).
    """

    def __init__(self, service: str | None = None) -> None:
        self.service = service
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.sent: list[str] = []

    def _record_params(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        service = model.service_model.service_id.hyphenize()
        self.calls.append((service, model.name, copy.deepcopy(params)))

    def _record_send(self, event_name: str, **_: Any) -> None:
        self.sent.append(event_name.split(".")[-1])

    def attach(self, boto_session: Any) -> None:
        # Registered on the boto3 session, so every client made afterwards carries them.
        event = "before-parameter-build" + (f".{self.service}" if self.service else "")
        boto_session.events.register(event, self._record_params)
        boto_session.events.register("before-send", self._record_send)

    def operations(self, service: str = "sagemaker") -> list[str]:
        return [name for called, name, _ in self.calls if called == service]

    def one(self, operation: str) -> dict[str, Any]:
        matches = [params for _, name, params in self.calls if name == operation]
        assert len(matches) == 1, f"{operation} was called {len(matches)} times: {self.operations()}"
        return matches[0]


@pytest.fixture
def requests_log(moto_session: Any) -> RequestLog:
    log = RequestLog()
    log.attach(moto_session.boto_session)
    return log


def answer(client: Any, operation: str, response: dict[str, Any]) -> list[dict[str, Any]]:
    """Make ``client`` answer ``operation`` itself (moto lacks it); returns the captured params."""
    from botocore.awsrequest import AWSResponse

    captured: list[dict[str, Any]] = []

    def handler(params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]]:
        captured.append(params)
        return AWSResponse("http://stub", 200, {}, None), copy.deepcopy(response)

    service_id = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register(f"before-call.{service_id}.{operation}", handler)
    return captured


def write_model_dir(directory: Path) -> Path:
    """A small model directory laid out as save_pretrained() leaves it."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.json").write_text(json.dumps({"model_type": "bert", "architectures": ["BertModel"]}))
    (directory / "model.safetensors").write_bytes(b"\x00" * 64)
    (directory / "tokenizer.json").write_text("{}")
    (directory / "vocab.txt").write_text("[PAD]\n[UNK]\nhello\n")
    return directory


def write_inference_script(directory: Path, name: str = "inference.py") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    script = directory / name
    script.write_text("def model_fn(model_dir):\n    return model_dir\n")
    return script


def tar_members(data: bytes) -> dict[str, bytes]:
    """The regular files of a gzipped tar, name -> content."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        return {
            member.name: tar.extractfile(member).read()  # type: ignore[union-attr]
            for member in tar.getmembers()
            if member.isfile()
        }


def s3_bytes(session: Any, uri: str) -> bytes:
    bucket, _, key = uri[len("s3://") :].partition("/")
    return session.s3_client.get_object(Bucket=bucket, Key=key)["Body"].read()


class FakeClock:
    """A clock whose sleep() only moves time forward, and remembers each delay."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
