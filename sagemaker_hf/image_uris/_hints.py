"""Suggestions for image-URI error messages: the nearest versions, regions and names.

Only the error paths use this module.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from packaging.version import InvalidVersion, Version

from sagemaker_hf.image_uris._matrix import version_sort_key


def _parse(version: str) -> Version | None:
    try:
        return Version(version)
    except InvalidVersion:
        return None


def nearest_versions(value: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """The supported versions closest to ``value``.

    A shortened version lists what it abbreviates (``4.48`` -> ``4.48.0``); otherwise the
    nearest version below and above (``4.27`` -> ``4.26.0, 4.28.1``). Strings that are not
    versions get the closest spellings.
    """
    candidates = sorted(set(candidates), key=version_sort_key)
    target = _parse(value)
    parsed = [(v, c) for c in candidates if (v := _parse(c)) is not None]
    if target is None or not parsed:
        return difflib.get_close_matches(value, candidates, n=limit, cutoff=0.5)
    release = target.release
    abbreviated = [c for v, c in parsed if v.release[: len(release)] == release]
    if abbreviated:
        return abbreviated[-limit:]
    lower = [c for v, c in parsed if v < target][-1:]
    higher = [c for v, c in parsed if v > target][:1]
    return lower + higher


def nearest_base_frameworks(value: str, candidates: Iterable[str]) -> list[str]:
    """Nearest ``pytorchX.Y.Z`` / ``tensorflowX.Y.Z`` keys of the same framework as ``value``."""
    candidates = list(candidates)
    for name in ("pytorch", "tensorflow"):
        if value.startswith(name):
            same = {c.removeprefix(name): c for c in candidates if c.startswith(name)}
            return [same[v] for v in nearest_versions(value.removeprefix(name), same)]
    return difflib.get_close_matches(value, candidates, n=3, cutoff=0.5)


def nearest_names(value: str, candidates: Iterable[str]) -> list[str]:
    """Close spellings (regions, families, scopes)."""
    return difflib.get_close_matches(value, list(candidates), n=3, cutoff=0.6)


def listing(values: Iterable[str]) -> str:
    return ", ".join(values) or "(none)"


def with_nearest(message: str, nearest: list[str]) -> str:
    return f"{message} Nearest: {', '.join(nearest)}." if nearest else message
