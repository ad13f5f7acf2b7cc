"""Compare one scenario's two records and match the differences against the allow-list.

A difference has an *aspect*, the part of the record it is about:

- ``request:<Operation>.<field path>``: a parameter of a request both sides sent differs
  (``request:CreateModel.PrimaryContainer.Environment.SAGEMAKER_PROGRAM``);
- ``request:+<Operation>`` / ``request:-<Operation>``: only sagemaker-hf (``+``) or only
  SDK v2 (``-``) sent that request;
- ``exception``: one side raised and the other did not, or a v2 user's ``except`` clause
  (a builtin or botocore class v2's exception is, or the AWS error code) misses ours;
- ``result:<name>``: a value the scenario recorded differs.

Only requests that change something are compared (not Describe/List/Get/Head…: how often
each SDK looks is its own business), and an empty list or map counts as an absent field
(the API reads both alike). Standard library only.
"""

from __future__ import annotations

import difflib
import fnmatch
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

READ_ONLY_PREFIXES = ("Describe", "List", "Get", "Head", "Search", "Filter", "BatchGet", "BatchDescribe")
DOC = Path(__file__).resolve().parents[2] / "docs" / "migration.md"


@dataclass(frozen=True)
class Difference:
    scenario: str
    aspect: str
    v2: Any
    hf: Any

    def line(self) -> str:
        return f"{self.scenario} {self.aspect}: v2={short(self.v2)} | sagemaker-hf={short(self.hf)}"


@dataclass(frozen=True)
class Allowed:
    """An allow-list entry: fnmatch patterns for the scenario and the aspect(s) it covers."""

    scenario: str
    aspects: tuple[str, ...]
    reason: str
    doc: str

    def matches(self, difference: Difference) -> bool:
        return fnmatch.fnmatchcase(difference.scenario, self.scenario) and any(
            fnmatch.fnmatchcase(difference.aspect, aspect) for aspect in self.aspects
        )


def short(value: Any, limit: int = 160) -> str:
    text = json.dumps(value, sort_keys=True, default=str) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 1] + "…"


def significant(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The requests that change something, with empty optional fields dropped, and each run
    of consecutive requests whose order means nothing in a canonical order: Delete* requests
    (deleting an endpoint, its config and its model is the same clean-up in any order) and
    PutObject requests (a folder's files uploaded in the order the file system lists them)."""
    kept = [
        {**call, "params": without_empty(call["params"])}
        for call in calls
        if not call["operation"].startswith(READ_ONLY_PREFIXES)
    ]
    ordered: list[dict[str, Any]] = []
    for call in kept:
        group = _unordered_group(call["operation"])
        run_start = len(ordered)
        while group and run_start and _unordered_group(ordered[run_start - 1]["operation"]) == group:
            run_start -= 1
        ordered.append(call)
        if group:
            ordered[run_start:] = sorted(ordered[run_start:], key=lambda c: json.dumps(c, sort_keys=True))
    return ordered


def _unordered_group(operation: str) -> str | None:
    if operation.startswith("Delete"):
        return "delete"
    return "upload" if operation == "PutObject" else None


def without_empty(value: Any) -> Any:
    """``Tags=[]`` or ``Environment={}`` asks for the same as leaving the field out."""
    if isinstance(value, dict):
        kept = {key: without_empty(item) for key, item in value.items()}
        return {key: item for key, item in kept.items() if item not in ([], {})}
    if isinstance(value, list):
        return [without_empty(item) for item in value]
    return value


def field_differences(path: str, v2: Any, hf: Any) -> list[tuple[str, Any, Any]]:
    """(path, v2 value, hf value) for every leaf where the two differ; missing is ``<absent>``."""
    if isinstance(v2, dict) and isinstance(hf, dict):
        found = []
        for key in list(v2) + [key for key in hf if key not in v2]:
            found += field_differences(f"{path}.{key}", v2.get(key, "<absent>"), hf.get(key, "<absent>"))
        return found
    if isinstance(v2, list) and isinstance(hf, list) and len(v2) == len(hf):
        found = []
        for index, (left, right) in enumerate(zip(v2, hf, strict=True)):
            found += field_differences(f"{path}[{index}]", left, right)
        return found
    return [] if v2 == hf else [(path, v2, hf)]


def request_differences(scenario: str, v2_calls: list[dict], hf_calls: list[dict]) -> list[Difference]:
    v2_ops = [call["operation"] for call in v2_calls]
    hf_ops = [call["operation"] for call in hf_calls]
    found = []
    matcher = difflib.SequenceMatcher(a=v2_ops, b=hf_ops, autojunk=False)
    for tag, v2_start, v2_end, hf_start, hf_end in matcher.get_opcodes():
        if tag == "equal":
            for left, right in zip(v2_calls[v2_start:v2_end], hf_calls[hf_start:hf_end], strict=True):
                for path, v2_value, hf_value in field_differences(
                    left["operation"], left["params"], right["params"]
                ):
                    found.append(Difference(scenario, f"request:{path}", v2_value, hf_value))
            continue
        for call in v2_calls[v2_start:v2_end]:
            found.append(Difference(scenario, f"request:-{call['operation']}", call["params"], "<not sent>"))
        for call in hf_calls[hf_start:hf_end]:
            found.append(Difference(scenario, f"request:+{call['operation']}", "<not sent>", call["params"]))
    return found


def exception_difference(scenario: str, v2: dict | None, hf: dict | None) -> list[Difference]:
    if v2 is None and hf is None:
        return []
    if v2 is not None and hf is not None:
        missed = set(v2["catches"]) - set(hf["catches"])
        if not missed and v2.get("code") == hf.get("code"):
            return []  # every except clause that caught v2's exception catches ours
    return [Difference(scenario, "exception", summary(v2), summary(hf))]


def summary(exception: dict | None) -> str:
    if exception is None:
        return "<no exception>"
    code = f" [{exception['code']}]" if exception.get("code") else ""
    catches = ", ".join(exception["catches"]) or "Exception"
    return f"{exception['type']}{code} (catches: {catches}): {exception['message']}"


def result_differences(scenario: str, v2: dict[str, Any], hf: dict[str, Any]) -> list[Difference]:
    # A value recorded on one side only means the other side raised first: that is the
    # exception's difference, not another one.
    return [
        Difference(scenario, f"result:{name}", v2[name], hf[name])
        for name in v2
        if name in hf and v2[name] != hf[name]
    ]


def compare(scenario: str, v2: dict[str, Any], hf: dict[str, Any]) -> list[Difference]:
    return (
        request_differences(scenario, significant(v2["calls"]), significant(hf["calls"]))
        + exception_difference(scenario, v2["exception"], hf["exception"])
        + result_differences(scenario, v2["results"], hf["results"])
    )


def side_by_side(v2: dict[str, Any], hf: dict[str, Any]) -> str:
    """The two records as a unified diff: requests sent, exception, results."""

    def lines(record: dict[str, Any]) -> list[str]:
        shown = {
            "requests": [{call["operation"]: call["params"]} for call in significant(record["calls"])],
            "exception": summary(record["exception"]),
            "results": record["results"],
        }
        return json.dumps(shown, indent=2, sort_keys=True, default=str).splitlines()

    diff = difflib.unified_diff(lines(v2), lines(hf), "SDK v2", "sagemaker-hf", n=1000, lineterm="")
    return "\n".join(diff)


def load_allowed(path: Path) -> list[Allowed]:
    try:
        import tomllib
    except ImportError:  # Python 3.10: pytest's own dependency
        import tomli as tomllib  # type: ignore[no-redef]

    entries = tomllib.loads(path.read_text()).get("difference", [])
    return [
        Allowed(
            entry["scenario"],
            (entry["aspect"],) if isinstance(entry["aspect"], str) else tuple(entry["aspect"]),
            entry["reason"],
            entry["doc"],
        )
        for entry in entries
    ]


def doc_anchors(path: Path = DOC) -> set[str]:
    """The explicit anchors (``<a id="...">``) in docs/migration.md."""
    import re

    return set(re.findall(r'<a id="([^"]+)"', path.read_text()))
