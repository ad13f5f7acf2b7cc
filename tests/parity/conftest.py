"""Run the scenarios once per side (SDK v2 in .venv/sdkv2, sagemaker-hf here), compare, summarise."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.parity.compare import Allowed, Difference, compare, load_allowed

PARITY = Path(__file__).resolve().parent
ROOT = PARITY.parents[1]
V2_PYTHON = ROOT / ".venv" / "sdkv2" / "bin" / "python"
ALLOW_LIST = PARITY / "allowed_differences.toml"
RUN_SECONDS = 300  # both sides together take well under a minute; this only stops a hang


def scenario_names() -> list[str]:
    """Every ``@scenario`` function, read from the source (the scenarios import ``sdk``,
    which exists only inside a runner)."""
    names = []
    for path in sorted((PARITY / "scenarios").glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(decorator, ast.Name) and decorator.id == "scenario"
                for decorator in node.decorator_list
            ):
                names.append(node.name)
    return names


@dataclass
class ParityRun:
    v2: dict[str, Any]
    hf: dict[str, Any]
    allowed: list[Allowed]
    differences: dict[str, list[Difference]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, v2_record in self.v2["scenarios"].items():
            hf_record = self.hf["scenarios"].get(name)
            if hf_record is not None:
                self.differences[name] = compare(name, v2_record, hf_record)

    def allowed_for(self, difference: Difference) -> Allowed | None:
        return next((entry for entry in self.allowed if entry.matches(difference)), None)

    def unlisted(self, name: str) -> list[Difference]:
        return [d for d in self.differences.get(name, []) if self.allowed_for(d) is None]

    def summary(self) -> str:
        every = [d for found in self.differences.values() for d in found]
        unlisted = [d for d in every if self.allowed_for(d) is None]
        identical = sum(1 for found in self.differences.values() if not found)
        with_unlisted = sum(1 for name in self.differences if self.unlisted(name))
        return (
            f"parity: {len(self.differences)} scenarios, {identical} identical after normalisation, "
            f"{len(every) - len(unlisted)} allow-listed differences, {len(unlisted)} unlisted differences "
            f"(in {with_unlisted} scenarios); SDK v2 {self.v2['version']} vs "
            f"sagemaker-hf {self.hf['version']}"
        )


def _v2_python() -> Path:
    # Another SDK v2 install can stand in for the bootstrap's (e.g. a shared read-only one).
    python = Path(os.environ.get("SAGEMAKER_HF_PARITY_V2_PYTHON", V2_PYTHON))
    if not python.exists():
        pytest.fail(
            f"the parity suite's oracle is missing: {python} does not exist. Run `scripts/bootstrap --dev`, "
            "which installs sagemaker==2.257.7 into .venv/sdkv2.",
            pytrace=False,
        )
    return python


def run_sides(v2_python: Path, hf_python: Path, folder: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Both runners at once (one core each); their JSON records."""
    runner = PARITY / "runner.py"
    processes = {
        side: subprocess.Popen(
            [str(python), str(runner), side, str(folder / f"{side}.json")],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for side, python in (("v2", v2_python), ("hf", hf_python))
    }
    records = {}
    for side, process in processes.items():
        try:
            output, _ = process.communicate(timeout=RUN_SECONDS)
        except subprocess.TimeoutExpired:
            for other in processes.values():
                other.kill()
            pytest.fail(f"the {side} parity runner did not finish within {RUN_SECONDS} s", pytrace=False)
        if process.returncode != 0:
            pytest.fail(
                f"the {side} parity runner failed (exit {process.returncode}):\n{output}", pytrace=False
            )
        records[side] = json.loads((folder / f"{side}.json").read_text())
    return records["v2"], records["hf"]


_RUNS: list[ParityRun] = []


@pytest.fixture(scope="session")
def parity_run() -> ParityRun:
    with tempfile.TemporaryDirectory(prefix="parity-") as folder:
        v2, hf = run_sides(_v2_python(), Path(sys.executable), Path(folder))
    run = ParityRun(v2, hf, load_allowed(ALLOW_LIST))
    _RUNS.append(run)
    return run


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for run in _RUNS:
        terminalreporter.write_sep("=", run.summary())
