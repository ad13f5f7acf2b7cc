"""Run the numbered examples the way users do: a fresh Python process each, output captured.

``numbered_examples()`` lists ``examples/NN_*.py``; ``ExampleContext`` runs one and gives a
case what it needs to check the result: tiny models, the moto server's session, the
queued endpoint results, and the AWS calls the process made (``captured``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CAPTURE_DIR = Path(__file__).resolve().parent / "capture"
CAPTURE_VARIABLE = "SAGEMAKER_HF_EXAMPLES_CAPTURE"
NUMBERED = re.compile(r"^\d\d_\w+\.py$")
TIMEOUT_SECONDS = 240
# What examples 03, 04 and 08 take from a transformers checkout (SDK v2 fetched them with git_config).
TRANSFORMERS_SCRIPTS = (
    "examples/pytorch/question-answering/run_qa.py",
    "examples/pytorch/text-classification/run_glue.py",
    "examples/pytorch/summarization/run_summarization.py",
)


def numbered_examples() -> list[str]:
    return sorted(path.name for path in EXAMPLES.glob("*.py") if NUMBERED.match(path.name))


@dataclass(frozen=True)
class Run:
    stdout: str
    stderr: str


@dataclass
class ExampleContext:
    """One example's run and what its checks look at."""

    scratch: Path
    tiny_models: Any
    session: Any  # a sagemaker_hf.Session on the moto server
    results: Any  # MotoResults: queue what InvokeEndpoint answers
    env: dict[str, str] = field(default_factory=dict)

    @property
    def capture_file(self) -> Path:
        return self.scratch / "aws-calls.jsonl"

    def tiny(self, task: str) -> str:
        return str(self.tiny_models[task])

    def run(self, name: str, *arguments: str, env: dict[str, str] | None = None) -> Run:
        python_path = os.pathsep.join(filter(None, [str(CAPTURE_DIR), os.environ.get("PYTHONPATH")]))
        finished = subprocess.run(
            [sys.executable, str(EXAMPLES / name), *arguments],
            cwd=ROOT,
            env={
                **os.environ,
                "PYTHONPATH": python_path,
                CAPTURE_VARIABLE: str(self.capture_file),
                **self.env,
                **(env or {}),
            },
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
        )
        assert finished.returncode == 0, (
            f"{name} exited with {finished.returncode}:\n{finished.stdout[-3000:]}\n{finished.stderr[-3000:]}"
        )
        return Run(finished.stdout, finished.stderr)

    def transformers_checkout(self) -> str:
        """A stand-in for a huggingface/transformers checkout: the example scripts, one line each."""
        root = self.scratch / "transformers"
        for script in TRANSFORMERS_SCRIPTS:
            (root / script).parent.mkdir(parents=True, exist_ok=True)
            (root / script).write_text("print('the transformers example script runs in the job')\n")
        return str(root)

    def captured(self, operation: str) -> list[dict[str, Any]]:
        """The parameters of every ``operation`` call the example made, in order."""
        if not self.capture_file.exists():
            return []
        calls = [json.loads(line) for line in self.capture_file.read_text().splitlines()]
        return [call["params"] for call in calls if call["operation"] == operation]

    def only_training_job(self) -> dict[str, Any]:
        client = self.session.sagemaker_client
        jobs = client.list_training_jobs()["TrainingJobSummaries"]
        assert len(jobs) == 1, f"expected one training job, the server holds {jobs}"
        return client.describe_training_job(TrainingJobName=jobs[0]["TrainingJobName"])

    def s3_keys(self, bucket: str, prefix: str = "") -> list[str]:
        listing = self.session.s3_client.list_objects_v2(Bucket=bucket, Prefix=prefix)
        return [item["Key"] for item in listing.get("Contents", [])]

    def s3_bytes(self, uri: str) -> bytes:
        bucket, _, key = uri.removeprefix("s3://").partition("/")
        return self.session.s3_client.get_object(Bucket=bucket, Key=key)["Body"].read()
