"""What a scenario module uses: the ``@scenario`` registry, the :class:`Case` it receives,
and the loader of a side's import block (``sdk``).

A scenario is a function ``name(case)`` whose body is user code. Its SDK names come from
``from sdk import ...``: the runner makes ``sdk`` the import block of the side it runs
(``imports_v2.py`` or ``imports_hf.py``), so the same text runs against both SDKs. ``case``
sets up the fake AWS before the user code runs (``case.aws``), writes the files the user
code reads, and records values to compare (``case.result``).
"""

from __future__ import annotations

import ast
import io
import json
import subprocess
import sys
import tarfile
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.parity.fake_aws import ACCOUNT, DEFAULT_BUCKET, ROLE_ARN, FakeAWS

SCENARIOS: dict[str, Callable[[Case], None]] = {}

# Values the scenarios share (the fake's account, so that both sides see the same one).
ROLE = ROLE_ARN
BUCKET = DEFAULT_BUCKET
ACCOUNT_ID = ACCOUNT
VERSIONS = {"transformers_version": "4.26", "pytorch_version": "1.13", "py_version": "py39"}
TRAINING_VERSIONS = {"transformers_version": "4.28", "pytorch_version": "2.0", "py_version": "py310"}
HUB = {"HF_MODEL_ID": "distilbert-base-uncased-finetuned-sst-2-english", "HF_TASK": "text-classification"}


def scenario(func: Callable[[Case], None]) -> Callable[[Case], None]:
    """Register ``func`` under its name (names are unique across all scenario modules)."""
    if func.__name__ in SCENARIOS:
        raise RuntimeError(f"two scenarios are named {func.__name__}")
    SCENARIOS[func.__name__] = func
    return func


class Case:
    """One scenario's run: the fake AWS, its working folder, and the values it records."""

    def __init__(self, aws: FakeAWS, work: Path) -> None:
        self.aws = aws
        self.work = work
        self.results: dict[str, Any] = {}

    def result(self, name: str, value: Any) -> None:
        """Record a value that both SDKs should produce the same (after normalisation)."""
        self.results[name] = value

    def write(self, relative: str, text: str = "") -> str:
        path = self.work / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return str(path)

    def script(self, relative: str = "code/inference.py") -> str:
        """An inference or training script (the content does not matter to the requests)."""
        return self.write(relative, "def model_fn(model_dir):\n    return model_dir\n")

    def model_archive(self, uri: str = f"s3://{DEFAULT_BUCKET}/models/model.tar.gz") -> str:
        """A small model.tar.gz put into the fake S3, as a training job would leave it."""
        files = {"config.json": json.dumps({"model_type": "bert"}).encode(), "model.safetensors": b"\0" * 64}
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            for name, data in files.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        return self.aws.put_object(uri, buffer.getvalue())

    def git_repository(self, files: dict[str, str], name: str = "transformers") -> str:
        """A git repository with ``files`` on branch main, reachable as an https:// URL.

        SDK v2 clones only https://, http://, ssh:// and git@ URLs; the runner's own
        ``~/.gitconfig`` maps the URL to the local folder (``url.<path>.insteadOf``), so
        ``git clone`` reads it from disk on both sides.
        """
        folder = self.work.parent.parent / "repositories" / self.work.name / name
        for relative, text in files.items():
            (folder / relative).parent.mkdir(parents=True, exist_ok=True)
            (folder / relative).write_text(text)
        identity = ["-c", "user.name=parity", "-c", "user.email=parity@example.com"]
        for command in (
            ["init", "-q", "-b", "main"],
            ["add", "."],
            [*identity, "commit", "-q", "-m", "code"],
        ):
            subprocess.run(["git", *command], cwd=folder, check=True, capture_output=True)
        url = f"https://github.com/parity-example/{name}.git"
        subprocess.run(["git", "config", "--global", f"url.{folder}.insteadOf", url], check=True)
        return url

    def commit_of(self, name: str = "transformers") -> str:
        folder = self.work.parent.parent / "repositories" / self.work.name / name
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=folder, check=True, capture_output=True, text=True
        ).stdout.strip()


class MissingName:
    """Stands for a name whose import line failed: any use raises that ImportError."""

    def __init__(self, name: str, error: str) -> None:
        self._name, self._error = name, error

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise ImportError(self._error)

    __call__ = _fail

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        self._fail()


def load_import_block(path: Path) -> tuple[types.ModuleType, list[str]]:
    """Run the import block statement by statement and install it as module ``sdk``.

    A statement whose import fails binds its names to :class:`MissingName`, so the
    scenarios that use them fail with that ImportError and the others still run.
    Returns the module and the failed statements' errors.
    """
    module = types.ModuleType("sdk")
    module.__file__ = str(path)
    errors: list[str] = []
    for node in ast.parse(path.read_text()).body:
        code = compile(ast.Module(body=[node], type_ignores=[]), str(path), "exec")
        try:
            exec(code, module.__dict__)
        except ImportError as error:
            assert isinstance(node, ast.Import | ast.ImportFrom)
            message = f"line {node.lineno}: {error}"
            errors.append(message)
            for alias in node.names:
                name = alias.asname or alias.name.split(".")[0]
                module.__dict__[name] = MissingName(name, message)
    sys.modules["sdk"] = module
    return module, errors
