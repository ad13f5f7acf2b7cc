"""docs/migration.md covers every public name of SDK v2's sagemaker.huggingface, and all of ours."""

from __future__ import annotations

import re

import pytest

from tests.examples.runner import ROOT

GUIDE = ROOT / "docs" / "migration.md"
# SDK v2's `sagemaker.huggingface` exports (2.257).
V2_HUGGINGFACE_NAMES = (
    "HuggingFaceModel",
    "HuggingFace",
    "HuggingFacePredictor",
    "HuggingFaceProcessor",
    "get_huggingface_llm_image_uri",
    "TrainingCompilerConfig",
)


@pytest.fixture(scope="module")
def guide() -> str:
    return GUIDE.read_text()


@pytest.mark.parametrize("name", V2_HUGGINGFACE_NAMES)
def test_each_v2_name_has_its_own_section(guide: str, name: str) -> None:
    heading = re.search(rf"^## {re.escape(name)}\b.*$", guide, re.MULTILINE)
    assert heading, f"docs/migration.md has no '## {name}' section"
    section = guide[heading.end() : guide.find("\n## ", heading.end())]
    assert re.search(r"\b(same|differs|no|Not supported)\b", section), f"{name}: say what is supported"


def test_every_public_name_of_ours_is_in_the_guide(guide: str) -> None:
    import sagemaker_hf

    missing = [name for name in sagemaker_hf.__all__ if not name.startswith("_") and name not in guide]
    assert not missing, f"public names missing from docs/migration.md: {missing}"


def test_the_v3_section_is_there(guide: str) -> None:
    assert "## For users of SageMaker Python SDK v3" in guide
    assert "ModelBuilder" in guide and "ModelTrainer" in guide
