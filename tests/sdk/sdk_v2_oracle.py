"""Run a snippet with SDK v2 (``sagemaker==2.257.7``) itself, the oracle of parity tests.

SDK v2 lives in its own venv, never in the project's: ``$SAGEMAKER_HF_V2_PYTHON``, else a
venv inside ``.venv/`` that holds ``sagemaker`` 2.x (``scripts/bootstrap --dev``), else
``/work/v2ref/.venv``. Tests that compare with a live v2 skip when there is none; each
also checks ours against a table recorded from v2, which always runs.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]


def sdk_v2_python() -> Path | None:
    given = os.environ.get("SAGEMAKER_HF_V2_PYTHON")
    if given:
        return Path(given)
    for marker in sorted(REPOSITORY.glob(".venv/*/lib/python3*/site-packages/sagemaker-2.*.dist-info")):
        return marker.parents[3] / "bin" / "python"
    fallback = Path("/work/v2ref/.venv/bin/python")
    return fallback if fallback.exists() else None


def run_with_sdk_v2(*arguments: str, cwd: Path | None = None) -> str:
    """stdout's last line of ``python arguments...`` in SDK v2's venv (skips without one)."""
    python = sdk_v2_python()
    if python is None:
        pytest.skip("no SDK v2 venv (set SAGEMAKER_HF_V2_PYTHON); the recorded table was checked instead")
    environment = {**os.environ, "SAGEMAKER_SUPPRESS_V2_WARNING": "1", "PYTHONPATH": ""}
    done = subprocess.run(
        [str(python), *arguments], capture_output=True, text=True, timeout=300, cwd=cwd, env=environment
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]
