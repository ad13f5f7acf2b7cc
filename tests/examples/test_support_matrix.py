"""The README's "Support matrix" stays what the code says: generated image rows, every task listed."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest

from tests.examples.runner import ROOT

SCRIPT = ROOT / "scripts" / "support_matrix.py"


@pytest.fixture(scope="module")
def support_matrix() -> ModuleType:
    spec = importlib.util.spec_from_file_location("support_matrix", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def test_the_image_table_is_the_generated_one(support_matrix: ModuleType) -> None:
    from sagemaker_hf import image_uris

    section = readme_section("Support matrix")
    rows = {family: support_matrix.family_row(family) for family in image_uris.list_frameworks()}
    stale = [family for family, row in rows.items() if row not in section]
    assert not stale, f"regenerate with `.venv/bin/python {SCRIPT.relative_to(ROOT)}`; stale rows: {stale}"


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("us-east-1", "aws"),
        ("eu-west-1", "aws"),
        ("us-gov-west-1", "aws-us-gov"),
        ("cn-northwest-1", "aws-cn"),
        ("us-iso-east-1", "aws-iso"),
        ("us-isob-east-1", "aws-iso-b"),
        ("us-isof-south-1", "aws-iso-f"),
        ("eu-isoe-west-1", "aws-iso-e"),
        ("eusc-de-east-1", "aws-eusc"),
    ],
)
def test_regions_are_grouped_by_partition(support_matrix: ModuleType, region: str, partition: str) -> None:
    assert support_matrix.partition(region) == partition


def test_every_documented_task_is_in_the_task_table() -> None:
    from sagemaker_hf.toolkit.tasks.names import ALIASES, DOCUMENTED_TASKS

    section = readme_section("Support matrix")
    missing = [task for task in (*DOCUMENTED_TASKS, *ALIASES) if task not in section]
    assert not missing, f"tasks missing from the README's support matrix: {missing}"
