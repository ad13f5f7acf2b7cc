"""The module paths, names and commands the documentation promises, pinned while modules move.

Issue 17's list: ``sagemaker_hf.serializers``, ``.errors``, ``.safetar``, ``.artifacts``,
``.session``, ``.image_uris``, ``.testing``, ``.toolkit`` (and ``.s3``, ``.names``), the
``sagemaker-hf`` console script, ``python -m sagemaker_hf.cli`` and ``python -m
sagemaker_hf.toolkit serve``. Every ``from sagemaker_hf... import ...`` line of README.md and
docs/ is also run, so the import lines users copy keep working.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# documented module -> names the documentation uses from it
DOCUMENTED_MODULES: dict[str, tuple[str, ...]] = {
    "sagemaker_hf.serializers": (
        "JSONSerializer",
        "CSVSerializer",
        "IdentitySerializer",
        "NumpySerializer",
        "DataSerializer",
        "JSONDeserializer",
        "BytesDeserializer",
        "StringDeserializer",
    ),
    "sagemaker_hf.errors": (
        "SageMakerHFError",
        "ConfigurationError",
        "UnsupportedValueError",
        "ResourceFailedError",
        "WaitTimeoutError",
        "UnexpectedStatusException",
        "PollingTimeoutError",
        "AsyncInferenceError",
        "AsyncInferenceModelError",
        "CapacityError",
        "InternalStreamFailure",
        "ModelStreamError",
        "ObjectNotExistedError",
        "UnexpectedClientError",
    ),
    "sagemaker_hf.safetar": ("safe_extract",),
    "sagemaker_hf.artifacts": ("build_model_archive",),
    "sagemaker_hf.session": ("Session", "LocalSession", "get_execution_role"),
    "sagemaker_hf.image_uris": ("retrieve", "get_huggingface_llm_image_uri"),
    "sagemaker_hf.s3": ("S3Uploader", "S3Downloader", "s3_path_join"),
    "sagemaker_hf.names": ("name_from_base",),
    "sagemaker_hf.testing": ("build_tiny_model",),
    "sagemaker_hf.testing.fuzz": ("request_groups",),
    "sagemaker_hf.testing.load": ("LoadPlan", "run_load"),
    "sagemaker_hf.testing.load_rss": ("ProcessGroupRss",),
    "sagemaker_hf.testing.hub_cache": ("seed_hub_cache",),
    "sagemaker_hf.toolkit": (),
}


@pytest.mark.parametrize("module_name", sorted(DOCUMENTED_MODULES))
def test_each_documented_module_has_its_documented_names(module_name):
    module = importlib.import_module(module_name)
    missing = [name for name in DOCUMENTED_MODULES[module_name] if not hasattr(module, name)]
    assert missing == []


_FROM_IMPORT = re.compile(r"from (sagemaker_hf[\w.]*) import (\(([^)]*)\)|[\w ,]+|\.\.\.)")
_PLAIN_IMPORT = re.compile(r"^\s*import (sagemaker_hf[\w.]*)( as \w+)?\s*$", re.MULTILINE)


def _documented_imports() -> list[str]:
    """The import statements of README.md and docs/*.md (``import ...`` with dots: the module only)."""
    statements = set()
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        for match in _FROM_IMPORT.finditer(text):
            module, names = match.group(1), match.group(3) or match.group(2)
            if names.strip() == "...":
                statements.add(f"import {module}")
                continue
            listed = [name.strip() for name in names.replace("\n", " ").split(",") if name.strip()]
            statements.add(f"from {module} import {', '.join(listed)}")
        statements.update(f"import {match.group(1)}" for match in _PLAIN_IMPORT.finditer(text))
    return sorted(statements)


def test_the_documented_import_lines_run():
    statements = _documented_imports()
    assert len(statements) > 10  # the parser found the imports table
    result = _run(sys.executable, "-c", "\n".join(statements))
    assert result.returncode == 0, f"{result.stderr}\n-- the imports:\n" + "\n".join(statements)


def _run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(arguments), capture_output=True, text=True, timeout=120, check=False)


def test_the_console_script_is_the_cli_main():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = pyproject.split("[project.scripts]\n", 1)[1].split("\n\n", 1)[0]
    assert section.strip() == 'sagemaker-hf = "sagemaker_hf.cli:main"'
    module_name, _, function = "sagemaker_hf.cli:main".partition(":")
    assert callable(getattr(importlib.import_module(module_name), function))


def test_the_installed_console_script_runs():
    script = Path(sys.executable).parent / "sagemaker-hf"
    if not script.exists():
        pytest.skip("sagemaker-hf is not installed in this environment")
    result = _run(str(script), "--help")
    assert result.returncode == 0, result.stderr
    assert "image-uri" in result.stdout


def test_python_m_cli_lists_every_subcommand():
    result = _run(sys.executable, "-m", "sagemaker_hf.cli", "--help")
    assert result.returncode == 0, result.stderr
    for command in ("serve", "image-uri", "images", "local", "batch"):
        assert command in result.stdout


def test_python_m_toolkit_serve_is_the_server():
    result = _run(sys.executable, "-m", "sagemaker_hf.toolkit", "serve", "--help")
    assert result.returncode == 0, result.stderr
    assert "--port" in result.stdout and "--model-dir" in result.stdout
