"""Helpers for the estimator tests: request capture on the real clients, small training scripts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sdk.conftest import RequestLog

BUCKET = "sagemaker-us-east-1-123456789012"
VERSIONS = {"transformers_version": "4.26", "pytorch_version": "1.13", "py_version": "py39"}
TRAINING_IMAGE = (
    "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:"
    "1.13-transformers4.26-gpu-py39-cu117-ubuntu20.04"
)
GPU_INSTANCE = "ml.p3.2xlarge"  # the Hugging Face training images are GPU images
MULTI_GPU_INSTANCE = "ml.p3.16xlarge"


def huggingface_estimator(session: Any, role: str | None, source_dir: Any, **arguments: Any) -> Any:
    """A HuggingFace estimator of source_dir's train.py on GPU_INSTANCE with VERSIONS; arguments override."""
    from sagemaker_hf import HuggingFace

    settings = {"instance_type": GPU_INSTANCE, **VERSIONS, **arguments}
    return HuggingFace(
        entry_point="train.py", source_dir=str(source_dir), role=role, sagemaker_session=session, **settings
    )


@pytest.fixture
def requests_log(moto_session: Any) -> RequestLog:
    log = RequestLog(service="sagemaker")
    log.attach(moto_session.boto_session)
    return log


@pytest.fixture
def source_dir(tmp_path: Path) -> Path:
    """A source directory: a training script, a helper module, a requirements file."""
    root = tmp_path / "scripts"
    (root / "utils").mkdir(parents=True)
    (root / "train.py").write_text("from utils.helpers import run\nrun()\n")
    (root / "utils" / "helpers.py").write_text("def run():\n    print('training')\n")
    (root / "requirements.txt").write_text("")
    return root


LOCAL_VERSIONS = {"transformers_version": "4.48.0", "pytorch_version": "2.3.0", "py_version": "py311"}


@pytest.fixture(scope="module")
def training_session(local_home: Path) -> Iterator[Any]:
    """A LocalSession on the module's local home; fails the module if a training job is left running."""
    from sagemaker_hf.local import processes
    from sagemaker_hf.local.training.jobs import TrainingJobRecord
    from sagemaker_hf.session import LocalSession

    session = LocalSession(local_home=local_home)
    yield session
    left = []
    for record in session.sagemaker_client.registry.all(TrainingJobRecord):
        if record.process and processes.is_running(record.process.pid, record.process.identity):
            processes.stop_group(record.process.pid, record.process.identity, timeout=5)
            left.append(record.name)
    assert not left, f"training jobs left running (now killed): {left}"


def write_script(directory: Path, source: str, name: str = "train.py") -> Path:
    """A source_dir holding ``name`` with ``source`` (dedented)."""
    import textwrap

    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(textwrap.dedent(source))
    return directory
