"""Which (script, identity) pairs ran: the summary line of the notebook check."""

from __future__ import annotations

from tests.notebooks.cases import ASSUMED_ROLE, IAM_USER

_RUNS: dict[tuple[str, str], bool] = {}


def record(script: str, identity: str, ran: bool) -> None:
    _RUNS[(script, identity)] = ran


def summary() -> str | None:
    """``notebooks: N of M run as a plain IAM user, K of M as an assumed role`` (None before any run)."""
    if not _RUNS:
        return None
    counts = {}
    for identity in (IAM_USER, ASSUMED_ROLE):
        outcomes = [ran for (_, who), ran in _RUNS.items() if who == identity]
        counts[identity] = (sum(outcomes), len(outcomes))
    user, role = counts[IAM_USER], counts[ASSUMED_ROLE]
    return (
        f"notebooks: {user[0]} of {user[1]} run as a plain IAM user, "
        f"{role[0]} of {role[1]} as an assumed role"
    )
