"""examples/train_and_deploy_local.py as users run it: fit a tiny model locally, deploy, predict, delete."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

from sagemaker_hf.local.registry import EndpointRecord, Registry

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "train_and_deploy_local.py"


def test_train_and_deploy_example(local_home):
    finished = subprocess.run(
        [sys.executable, str(EXAMPLE)],
        env={**os.environ, "SAGEMAKER_HF_LOCAL_HOME": str(local_home)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    out = finished.stdout

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
