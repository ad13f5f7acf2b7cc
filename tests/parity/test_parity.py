"""SDK v2 is the oracle: every scenario must do what v2 did, or be allow-listed with a reason.

See tests/parity/README.md for how to add a scenario and how to read a failure.
"""

from __future__ import annotations

import ast

import pytest

from tests.parity.compare import doc_anchors, side_by_side
from tests.parity.conftest import ALLOW_LIST, PARITY, ParityRun, scenario_names

SCENARIOS = scenario_names()


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_matches_sdk_v2(parity_run: ParityRun, name: str) -> None:
    unlisted = parity_run.unlisted(name)
    if unlisted:
        v2, hf = parity_run.v2["scenarios"][name], parity_run.hf["scenarios"][name]
        traceback = (hf["exception"] or {}).get("traceback", "")
        pytest.fail(
            f"{len(unlisted)} difference(s) from SDK v2 that {ALLOW_LIST.name} does not list:\n"
            + "\n".join(f"  - {difference.line()}" for difference in unlisted)
            + f"\n\nSDK v2 (-) and sagemaker-hf (+), normalised:\n{side_by_side(v2, hf)}"
            + (f"\n\nsagemaker-hf's traceback:\n{traceback}" if traceback else ""),
            pytrace=False,
        )


def test_both_sides_ran_every_scenario(parity_run: ParityRun) -> None:
    assert len(SCENARIOS) >= 60
    assert sorted(parity_run.v2["scenarios"]) == sorted(SCENARIOS)
    assert sorted(parity_run.hf["scenarios"]) == sorted(SCENARIOS)


def test_the_oracle_is_sdk_v2(parity_run: ParityRun) -> None:
    assert parity_run.v2["version"] == "2.257.7"
    assert parity_run.v2["import_errors"] == []


def test_the_fake_answers_every_call(parity_run: ParityRun) -> None:
    """A call the fake cannot answer would make both sides fail alike and hide a difference."""
    gaps = {
        f"{side}:{name}": record["unimplemented"]
        for side, run in (("v2", parity_run.v2), ("hf", parity_run.hf))
        for name, record in run["scenarios"].items()
        if record["unimplemented"]
    }
    assert gaps == {}


def test_every_allow_list_entry_is_used_and_documented(parity_run: ParityRun) -> None:
    anchors = doc_anchors()
    used = {
        id(parity_run.allowed_for(difference))
        for found in parity_run.differences.values()
        for difference in found
    }
    for entry in parity_run.allowed:
        assert id(entry) in used, f"allow-list entry matches no difference any more, remove it: {entry}"
        assert "\n" not in entry.reason.strip() and entry.reason.strip(), entry
        page, _, anchor = entry.doc.partition("#")
        assert page == "docs/migration.md" and anchor in anchors, (
            f"{entry.doc} is not an anchor in migration.md"
        )


def test_import_blocks_differ_only_in_module_paths() -> None:
    """Statement for statement, the two blocks bind the same names (the user changed imports only)."""

    def bound(side: str) -> list[list[str]]:
        tree = ast.parse((PARITY / f"imports_{side}.py").read_text())
        return [
            [alias.asname or alias.name for alias in node.names]
            for node in tree.body
            if isinstance(node, ast.Import | ast.ImportFrom)
        ]

    assert bound("hf") == bound("v2")
