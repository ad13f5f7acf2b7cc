"""One notebook script's run: its working folder, what the runner puts around it, and the process.

A :class:`Workspace` is what a case's ``prepare`` gets: the folder the script runs in (files
the notebook's dropped shell cells would have made go there), moto's S3 (objects the notebook
reads), the offline Hub cache (models the endpoints or the script load by id) and the tiny
models that fill it. :func:`run_script` then runs the script as a user does: a fresh Python
process in that folder, configured by environment variables only.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.examples.runner import EXAMPLES, TRANSFORMERS_SCRIPTS

HERE = Path(__file__).resolve().parent
SCRIPTS = HERE / "scripts"
SUPPORT = HERE / "support"
FILES = HERE / "files"
TIMEOUT_SECONDS = 240
TRANSFORMERS_REPOSITORY = "https://github.com/huggingface/transformers.git"
# The branches the notebooks' and the Hub's git_config name.
TRANSFORMERS_BRANCHES = ("v4.26.0", "v4.37.0", "v4.4.2")


def script_names() -> list[str]:
    return sorted(path.stem for path in SCRIPTS.glob("*.py"))


def tar_gz(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in sorted(files.items()):
            member = tarfile.TarInfo(name)
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))
    return buffer.getvalue()


def folder_files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()
    }


@dataclass
class Workspace:
    folder: Path  # the script's working directory
    hub_cache: Path  # HF_HUB_CACHE of the script and its endpoints
    tiny_models: Any  # tests.fixtures.models.TinyModels
    s3: Any  # a boto3 S3 client on the moto server

    def file(self, relative: str, content: str | bytes) -> Path:
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content)
        else:
            path.write_bytes(content)
        return path

    def s3_object(self, uri: str, body: bytes) -> None:
        bucket, _, key = uri.removeprefix("s3://").partition("/")
        existing = {entry["Name"] for entry in self.s3.list_buckets()["Buckets"]}
        if bucket not in existing:
            self.s3.create_bucket(Bucket=bucket)
        self.s3.put_object(Bucket=bucket, Key=key, Body=body)

    def hub_model(self, repo_id: str, task: str) -> None:
        """Cache a tiny model for ``task`` under ``repo_id``, as if the Hub had been reached."""
        from sagemaker_hf.testing.hub_cache import seed_hub_cache

        seed_hub_cache(self.tiny_models[task], repo_id, self.hub_cache)

    def model_archive(self, task: str, code: dict[str, bytes] | None = None) -> bytes:
        """``model.tar.gz`` of a tiny model for ``task``, with ``code/<name>`` files if given."""
        files = folder_files(Path(self.tiny_models[task]))
        files.update({f"code/{name}": data for name, data in (code or {}).items()})
        return tar_gz(files)

    def training_script(self, relative: str = "scripts/train.py") -> None:
        """A script for jobs on the moto server, where no job runs: only its presence matters."""
        self.file(relative, 'print("stand-in for the notebook\'s training script")\n')


def transformers_repository(root: Path) -> Path:
    """A local git repository with the branches ``git_config`` names and stand-in example scripts."""

    def git(*arguments: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=notebooks", "-c", "user.email=notebooks@localhost", *arguments],
            cwd=root,
            check=True,
            capture_output=True,
        )

    root.mkdir(parents=True)
    git("init", "--quiet", "--initial-branch", "main")
    for script in TRANSFORMERS_SCRIPTS:
        (root / script).parent.mkdir(parents=True, exist_ok=True)
        (root / script).write_text("print('stand-in for the transformers example script')\n")
    git("add", ".")
    git("commit", "--quiet", "-m", "the example scripts")
    for branch in TRANSFORMERS_BRANCHES:
        git("branch", branch)
    return root


@dataclass(frozen=True)
class Finished:
    returncode: int
    stdout: str
    stderr: str

    @property
    def error(self) -> str:
        """The exception the script ended with (the last traceback's unindented last line)."""
        _, _, last_traceback = self.stderr.rpartition("Traceback (most recent call last):")
        lines = [line for line in last_traceback.splitlines() if line.strip() and not line[0].isspace()]
        return lines[-1] if lines else f"exit status {self.returncode}"


def run_script(name: str, workspace: Workspace, env: dict[str, str]) -> Finished:
    python_path = os.pathsep.join([str(SUPPORT), str(SUPPORT / "stand_ins"), str(EXAMPLES)])
    try:
        finished = subprocess.run(
            [sys.executable, str(SCRIPTS / f"{name}.py")],
            cwd=workspace.folder,
            env={**os.environ, "PYTHONPATH": python_path, "HF_HUB_CACHE": str(workspace.hub_cache), **env},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired as expired:
        stderr = expired.stderr or ""
        stderr = stderr.decode(errors="replace") if isinstance(stderr, bytes) else stderr
        traceback = f"Traceback (most recent call last):\nTimeoutExpired: no exit after {TIMEOUT_SECONDS} s"
        return Finished(-1, "", f"{stderr}\n{traceback}")
    return Finished(finished.returncode, finished.stdout, finished.stderr)


def git_redirect(repository: Path) -> dict[str, str]:
    """Environment for git: fetch ``TRANSFORMERS_REPOSITORY`` from ``repository`` instead."""
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.{repository.as_uri()}.insteadOf",
        "GIT_CONFIG_VALUE_0": TRANSFORMERS_REPOSITORY,
        "GIT_TERMINAL_PROMPT": "0",
    }
