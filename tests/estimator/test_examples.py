"""The training examples, run as users run them (in local mode, on the module's local home)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

from sagemaker_hf.local.registry import EndpointRecord, Registry

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _run(example: str, local_home: Path) -> str:
    finished = subprocess.run(
        [sys.executable, str(EXAMPLES / example)],
        env={**os.environ, "SAGEMAKER_HF_LOCAL_HOME": str(local_home)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    return finished.stdout


def test_train_and_deploy(local_home):
    """Fit a tiny model locally, deploy it, predict, delete."""
    out = _run("train_and_deploy_local.py", local_home)

    # The job's log was streamed, and the model it saved is in model.tar.gz.
    assert re.search(r"epoch=\d+ step=\d+ loss=", out)
    model_data = re.search(r"trained model: file://(\S+)", out)
    assert model_data, out
    with tarfile.open(fileobj=io.BytesIO(Path(model_data[1]).read_bytes()), mode="r:gz") as archive:
        members = set(archive.getnames())
    assert {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"} <= members

    # The deployed model answered with the labels it was trained on, then was deleted.
    assert '\'I loved this film, it was wonderful\' -> [{"label": "POSITIVE"' in out
    assert '\'I hated every minute of it\' -> [{"label": "NEGATIVE"' in out
    assert Registry(local_home / "registry").names(EndpointRecord) == []


def test_spot_checkpoint_resume(local_home):
    """A stopped spot job saves its checkpoint; the next job resumes from it and finishes."""
    out = _run("spot_checkpoint_resume_local.py", local_home)

    first = re.search(r"first job: Stopped after step (\d+)", out)
    assert first, out
    assert f"resuming from the checkpoint of step {first[1]}" in out
    assert f"second job: Completed at step 20, resumed from step {first[1]}" in out
    assert 1 <= int(first[1]) < 20
