"""The constraints SageMaker checks on its side: pattern, maximum length, enum, maximum value.

A boto3 client checks only what botocore checks (required members, types, minimum
lengths); the service then refuses, with a ``ValidationException``, any member that
breaks the rest of its shape in the API model: "1 validation error detected: Value 'x' at
'modelName' failed to satisfy constraint: Member must have length less than or equal to
63". Local mode checks every member of every request the same way, because it uses
names as file names and joins the async ``Filename`` and ``S3OutputPathExtension`` into
paths on disk: what AWS refuses must never reach the disk.

Two allowances keep local mode usable, and nothing else is relaxed: an ``InstanceType``
may be ``local`` / ``local_gpu``, and a member whose pattern expects an ``s3://`` URI
also takes a ``file://`` URI or a path on this machine.

The model's patterns are Java regular expressions. :func:`python_pattern` translates the
Java constructs they use (``\\p{L}``-style classes, ``\\z``, surrogate-pair ranges) into
Python's ``re``. Unicode category classes are expanded to ASCII only for an ASCII value
(the common case); for other values once per process, over all of Unicode (about 0.1 s).
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sagemaker_hf.local.mode import is_local_instance_type

logger = logging.getLogger(__name__)

# A pattern that takes the first and refuses the second wants an S3 location.
_S3_SAMPLE = "s3://bucket/key"
_FILE_SAMPLE = "file:///folder/file"
_SHOWN_CHARS = 256  # a longer value is cut in the message (AWS shows it whole)
# Java's POSIX classes (US-ASCII, as Java reads them by default), as Python class bodies.
_POSIX = {
    "ASCII": r"\x00-\x7f",
    "Print": r"\x20-\x7e",
    "Graph": r"\x21-\x7e",
    "Alnum": "a-zA-Z0-9",
    "Alpha": "a-zA-Z",
    "Digit": "0-9",
    "Lower": "a-z",
    "Upper": "A-Z",
    "XDigit": "0-9a-fA-F",
    "Punct": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
    "Space": r" \t\n\x0b\f\r",
    "Blank": r" \t",
    "Cntrl": r"\x00-\x1f\x7f",
}
# Java spells "any supplementary character" as a range of UTF-16 surrogate pairs.
_SURROGATE_PAIRS = r"\uD800\uDC00-\uDBFF\uDFFF"


# Unicode's general categories, by their first letter (\p{L} is every L*, \p{Lu} just Lu).
_GENERAL_CATEGORIES = {
    "L": ("Lu", "Ll", "Lt", "Lm", "Lo"),
    "M": ("Mn", "Mc", "Me"),
    "N": ("Nd", "Nl", "No"),
    "P": ("Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po"),
    "S": ("Sm", "Sc", "Sk", "So"),
    "Z": ("Zs", "Zl", "Zp"),
    "C": ("Cc", "Cf", "Cs", "Co", "Cn"),
}


class UnsupportedPattern(ValueError):
    """A Java construct :func:`python_pattern` does not translate."""


@dataclass(frozen=True)
class Violation:
    path: str  # AWS's spelling: productionVariants.1.member.variantName
    value: Any
    constraint: str
    sensitive: bool = False

    def message(self) -> str:
        shown = "***" if self.sensitive else str(self.value)
        if len(shown) > _SHOWN_CHARS:
            shown = shown[:_SHOWN_CHARS] + "..."
        return f"Value '{shown}' at '{self.path}' failed to satisfy constraint: {self.constraint}"


def describe(violations: list[Violation]) -> str:
    """AWS's wording of one or more violations."""
    count = len(violations)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(item.message() for item in violations)


def violations(shape: Any, value: Any, path: str = "") -> list[Violation]:
    """Every member of ``value`` (already through botocore's ParamValidator) that breaks ``shape``."""
    found: list[Violation] = []
    _check(shape, value, path, found)
    return found


def _member_path(path: str, member: str) -> str:
    field = member[0].lower() + member[1:]
    return f"{path}.{field}" if path else field


def _check(shape: Any, value: Any, path: str, found: list[Violation], hidden: bool = False) -> None:
    """``hidden``: a map's value (an ``Environment`` value may be a secret) is never shown."""
    kind = shape.type_name
    limit = shape.metadata.get("max")
    if kind == "structure" and isinstance(value, dict):
        for member, item in value.items():
            if member in shape.members:
                _check(shape.members[member], item, _member_path(path, member), found)
    elif kind == "list" and isinstance(value, list | tuple):
        if limit is not None and len(value) > limit:
            found.append(Violation(path, value, f"Member must have length less than or equal to {limit}"))
        for index, item in enumerate(value, start=1):
            _check(shape.member, item, f"{path}.{index}.member", found)
    elif kind == "map" and isinstance(value, dict):
        if limit is not None and len(value) > limit:
            found.append(Violation(path, value, f"Member must have length less than or equal to {limit}"))
        for key, item in value.items():
            _check(shape.key, key, f"{path}.key", found)
            _check(shape.value, item, f"{path}.{key}", found, hidden=True)
    elif kind in ("integer", "long") and isinstance(value, int):
        if limit is not None and value > limit:
            found.append(Violation(path, value, f"Member must have value less than or equal to {limit}"))
    elif kind == "string" and isinstance(value, str):
        _check_string(shape, value, path, found, hidden)


def _check_string(shape: Any, value: str, path: str, found: list[Violation], hidden: bool) -> None:
    sensitive = hidden or bool(shape.metadata.get("sensitive"))
    limit = shape.metadata.get("max")
    if limit is not None and len(value) > limit:
        found.append(
            Violation(path, value, f"Member must have length less than or equal to {limit}", sensitive)
        )
    if _is_local_instance_type(shape, value):
        return
    enum = shape.metadata.get("enum")
    if enum and value not in enum:
        found.append(
            Violation(path, value, f"Member must satisfy enum value set: [{', '.join(enum)}]", sensitive)
        )
    pattern = shape.metadata.get("pattern")
    if pattern and not _is_local_location(pattern, value) and not matches(pattern, value):
        found.append(
            Violation(path, value, f"Member must satisfy regular expression pattern: {pattern}", sensitive)
        )


def _is_local_instance_type(shape: Any, value: str) -> bool:
    return shape.name.endswith("InstanceType") and is_local_instance_type(value)


def _is_local_location(pattern: str, value: str) -> bool:
    """A ``file://`` URI or a path, where the pattern wants an S3 location (it takes an ``s3://``
    URI and refuses a ``file://`` one); local mode reads and writes both."""
    if value.startswith("file://") or "://" not in value:
        return matches(pattern, _S3_SAMPLE) and not matches(pattern, _FILE_SAMPLE)
    return False


def matches(pattern: str, value: str) -> bool:
    """Whether ``value`` wholly matches the model's (Java) ``pattern``; a pattern that cannot be
    translated is not enforced (logged once)."""
    compiled = _compiled(pattern, value.isascii())
    return compiled is None or compiled.fullmatch(value) is not None


@functools.lru_cache(maxsize=512)
def _compiled(pattern: str, ascii_only: bool) -> re.Pattern[str] | None:
    try:
        return re.compile(python_pattern(pattern, ascii_only), re.ASCII)
    except (re.error, UnsupportedPattern) as error:
        logger.debug("not enforcing the API pattern %r: %s", pattern, error)
        return None


def python_pattern(pattern: str, ascii_only: bool) -> str:
    """``pattern`` (Java syntax, as in botocore's models) in Python's ``re`` syntax.

    ``ascii_only`` expands Unicode category classes to their ASCII members, enough to match
    an ASCII value exactly.
    """
    out: list[str] = []
    depth = 0  # inside a character class
    index = 0
    while index < len(pattern):
        if pattern.startswith(_SURROGATE_PAIRS, index):
            out.append(r"\U00010000-\U0010ffff")
            index += len(_SURROGATE_PAIRS)
            continue
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escape = pattern[index + 1]
            if escape in "pP" and pattern.startswith("{", index + 2):
                end = pattern.index("}", index)
                body = _class_body(pattern[index + 3 : end], ascii_only)
                if depth and escape == "P":
                    raise UnsupportedPattern(f"\\P{{...}} inside a class in {pattern!r}")
                if depth:
                    out.append(body)
                elif body:
                    out.append(f"[{'^' if escape == 'P' else ''}{body}]")
                else:  # a category with no member in range: matches nothing (\P: anything)
                    out.append(r"[\s\S]" if escape == "P" else "(?!)")
                index = end + 1
                continue
            out.append(r"\Z" if escape == "z" else pattern[index : index + 2])
            index += 2
            continue
        if char == "$" and not depth:
            # Java lets a quantifier follow "$" ("(...)${1,128}"); it repeats nothing.
            quantifier = re.match(r"\{\d*,?\d*\}", pattern[index + 1 :])
            out.append("$")
            index += 1 + (quantifier.end() if quantifier else 0)
            continue
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
        out.append(char)
        index += 1
    return "".join(out)


def _class_body(name: str, ascii_only: bool) -> str:
    if name in _POSIX:
        return _POSIX[name]
    if name not in _GENERAL_CATEGORIES and name not in _GENERAL_CATEGORIES.get(name[:1], ()):
        raise UnsupportedPattern(f"unknown character class \\p{{{name}}}")
    found = _categories(ascii_only)
    spans = [span for category in found if category.startswith(name) for span in found[category]]
    return "".join(_span(low, high) for low, high in sorted(spans))


def _span(low: int, high: int) -> str:
    def escaped(code: int) -> str:
        return f"\\U{code:08x}"

    return escaped(low) if low == high else f"{escaped(low)}-{escaped(high)}"


@functools.cache
def _categories(ascii_only: bool) -> dict[str, list[tuple[int, int]]]:
    """Unicode general category -> the code point spans that have it."""
    last = 0x7F if ascii_only else 0x10FFFF
    spans: dict[str, list[tuple[int, int]]] = {}
    start, current = 0, unicodedata.category("\x00")
    for code in range(1, last + 1):
        category = unicodedata.category(chr(code))
        if category != current:
            spans.setdefault(current, []).append((start, code - 1))
            start, current = code, category
    spans.setdefault(current, []).append((start, last))
    return spans
