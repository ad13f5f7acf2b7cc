"""examples/batch_transform_local.py as users run it: a fresh process, the real MiniLM."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "batch_transform_local.py"


def test_the_example_transforms_the_documented_input(local_home, minilm_model_dir):
    result = subprocess.run(
        [sys.executable, str(EXAMPLE)], capture_output=True, text=True, timeout=300, env=os.environ.copy()
    )
    assert result.returncode == 0, result.stderr
    assert "6 outputs for 6 input lines" in result.stdout
    scores = {
        match[2]: float(match[1]) for match in re.finditer(r"^\s+(-?\d\.\d+)\s+(.+)$", result.stdout, re.M)
    }
    assert scores["this movie is terrible"] > 0.999  # the first line is compared with itself
    assert scores["this movie is amazing"] > scores["SageMaker is pretty cool"]
    assert "Completed 6 records" in result.stderr
