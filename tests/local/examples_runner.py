"""Run an example script the way a user does: a fresh Python process, its output captured."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
_SCORE_LINE = re.compile(r"^\s*(-?\d+\.\d+)\s+(.+)$")


def run_example(name: str, *arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *arguments],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, f"{name} failed:\n{result.stdout}\n{result.stderr}"
    return result


def scores(output: str) -> dict[str, float]:
    """``{text: score}`` from lines such as ``  0.755  A man is eating a piece of bread.``."""
    return {
        match[2].strip(): float(match[1])
        for line in output.splitlines()
        if (match := _SCORE_LINE.match(line))
    }
