"""``sagemaker-hf batch`` as users run it: a separate process, exit codes, outputs on disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.batch.conftest import output_lines, write_jsonl


def _batch(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sagemaker_hf.cli", "batch", *arguments],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ.copy(),  # carries the module's SAGEMAKER_HF_LOCAL_HOME
    )


def test_batch_writes_one_line_per_record_and_fails_naming_the_line(local_home, tiny_models, tmp_path):
    model_dir = str(tiny_models["text-classification"])
    data = write_jsonl(tmp_path / "in" / "reviews.jsonl", 300)
    done = _batch(
        "--model-dir",
        model_dir,
        "--task",
        "text-classification",
        str(data),
        "--output",
        str(tmp_path / "out"),
    )
    assert done.returncode == 0, done.stderr
    lines = output_lines(tmp_path / "out" / "reviews.jsonl.out")
    assert len(lines) == 300 and all(
        json.loads(line)[0]["label"] in {"NEGATIVE", "POSITIVE"} for line in lines
    )
    assert "300 records from 1 file(s)" in done.stdout
    assert "Completed 300 records" in done.stderr  # the progress line

    broken = tmp_path / "broken.jsonl"
    broken.write_text(data.read_text().replace('{"id": 41,', '{"id": 41', 1))  # line 42 is not JSON
    failed = _batch(
        "--model-dir", model_dir, str(broken), "--output", str(tmp_path / "out"), "--strategy", "SingleRecord"
    )
    assert failed.returncode == 1
    assert "sagemaker-hf batch: the job failed: ClientError: broken.jsonl line 42: " in failed.stderr
    assert len(output_lines(tmp_path / "out" / "broken.jsonl.out.partial")) == 41

    refused = _batch("--model-dir", model_dir, str(data), "--output", "out", "--input-filter", "$..inputs")
    assert refused.returncode == 2 and "recursive descent" in refused.stderr

    # `sagemaker-hf local ls`, another process, lists both jobs with their outcome.
    listing = subprocess.run(
        [sys.executable, "-m", "sagemaker_hf.cli", "local", "ls"],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
    )
    assert listing.returncode == 0, listing.stderr
    jobs = [line.split() for line in listing.stdout.splitlines() if " transform " in line]
    assert sorted(job[2] for job in jobs) == ["Completed", "Failed"]
    failed_row = next(line for line in listing.stdout.splitlines() if " Failed " in line)
    assert "broken.jsonl line 42" in failed_row
