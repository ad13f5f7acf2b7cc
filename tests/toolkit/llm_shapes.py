"""The image families' recorded shapes (``tests/toolkit/shapes/*.json``, written down from the
containers' own documentation) and a checker of answers against them.

A shape maps field names to types: ``string``, ``integer``, ``number``, ``boolean``, ``null``,
another shape's name, ``[T]`` for a list of T, and ``A|B`` for either. A field whose name
ends with ``?`` may be absent; every other field must be there, and no other field may be.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SHAPES_DIR = Path(__file__).parent / "shapes"
PRIMITIVES = {
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "number": lambda value: isinstance(value, (int, float)) and not isinstance(value, bool),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
}


@cache
def recorded(family: str) -> dict[str, Any]:
    return json.loads((SHAPES_DIR / f"{family}.json").read_text(encoding="utf-8"))


def problems(value: Any, type_text: str, shapes: dict[str, Any], where: str = "$") -> list[str]:
    """What is wrong with ``value`` as ``type_text`` (empty when it fits)."""
    found: list[str] = []
    for option in type_text.split("|"):
        if option in PRIMITIVES:
            if PRIMITIVES[option](value):
                return []
            found.append(f"{where}: {value!r} is not {option}")
        elif option.startswith("["):
            if not isinstance(value, list):
                found.append(f"{where}: {type(value).__name__} is not a list")
                continue
            inner = [
                p
                for index, item in enumerate(value)
                for p in problems(item, option[1:-1], shapes, f"{where}[{index}]")
            ]
            if not inner:
                return []
            found.extend(inner)
        else:
            inner = _object_problems(value, shapes[option], shapes, where, option)
            if not inner:
                return []
            found.extend(inner)
    return found


def _object_problems(
    value: Any, shape: dict[str, str], shapes: dict[str, Any], where: str, name: str
) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where}: {type(value).__name__} is not a {name} object"]
    found = []
    names = {field.rstrip("?") for field in shape}
    extra = sorted(set(value) - names)
    if extra:
        found.append(f"{where}: fields {extra} are not in {name}")
    for field, type_text in shape.items():
        key = field.rstrip("?")
        if key not in value:
            if not field.endswith("?"):
                found.append(f"{where}: {name}.{key} is missing")
            continue
        found.extend(problems(value[key], type_text, shapes, f"{where}.{key}"))
    return found


def check(value: Any, family: str, type_text: str) -> None:
    """Assert that ``value`` fits ``type_text`` in ``family``'s recorded shapes."""
    found = problems(value, type_text, recorded(family)["shapes"])
    assert not found, "\n".join(found)


def event_data(text: str) -> list[str]:
    """The data of each server-sent event in a response body (every block one ``data:`` line)."""
    blocks = [block for block in text.split("\n\n") if block]
    assert all(block.startswith("data: ") and "\n" not in block for block in blocks), blocks
    return [block.removeprefix("data: ") for block in blocks]
