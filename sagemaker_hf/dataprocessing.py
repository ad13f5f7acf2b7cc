"""Batch transform's ``DataProcessing``: the JSONPath subset of ``InputFilter`` / ``OutputFilter``,
and ``JoinSource``, as SageMaker documents them ("Associate prediction results with input records").

Supported expressions (the operators SageMaker lists):

=====================  ===================================================================
``$``                  the whole record
``$.a.b``, ``$['a']``  a child by name (bracket form for names with dots or spaces)
``$[0]``, ``$[-1]``    an element by index (a CSV row is an array of its fields)
``$['a','b']``         several children: a JSON object with just those keys
``$[0,2]``, ``$[1:]``  several elements by index or slice (mixed: ``$[0,5:]``): an array
``$.*``, ``$[*]``      every child: an array
=====================  ===================================================================

Several children (names, indexes, slices, ``*``) may only be selected by the last
segment (``$.a['b','c']`` works, ``$['a','b'].c`` does not), as on SageMaker. Anything
else (``..``, filters ``?()``, ``@``) is refused up front with this list.

Join (``JoinSource="Input"``): the *original* record (before ``InputFilter``) is joined
with the prediction, then ``OutputFilter`` selects from the joined value.

- JSON: an input object gets the prediction under ``SageMakerOutput``; any other input
  gives ``{"SageMakerInput": input, "SageMakerOutput": prediction}``.
- CSV: the row's fields followed by the prediction's cells (see :func:`cells`).

Pure Python, standard library only.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from sagemaker_hf.errors import ConfigurationError

SUPPORTED_EXPRESSIONS = "$, $.a.b, $['a'], $[0], $[-1], $['a','b'], $[0,2], $[1:], $[0,5:], $.*, $[*]"
JOIN_SOURCES = ("None", "Input")
OUTPUT_KEY = "SageMakerOutput"
INPUT_KEY = "SageMakerInput"
# Content types whose records are JSON documents, and CSV; nothing else can be filtered or joined.
JSON_CONTENT_TYPES = frozenset(
    {"application/json", "application/jsonlines", "application/x-jsonlines", "application/jsonl"}
)
CSV_CONTENT_TYPE = "text/csv"

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_INTEGER = re.compile(r"-?\d+")
_SLICE = re.compile(r"(-?\d+)?\s*:\s*(-?\d+)?")


class DataProcessingError(ValueError):
    """A filter or join could not be applied to one record (a missing key, an index out of range)."""


@dataclass(frozen=True)
class Selector:
    """One selection inside a segment: a name, an index, a slice or ``*``."""

    kind: str  # "name" | "index" | "slice" | "wildcard"
    name: str = ""
    index: int = 0
    start: int | None = None
    stop: int | None = None


@dataclass(frozen=True)
class JsonPath:
    """A parsed expression: one segment per step; each segment holds one or more selectors."""

    text: str
    segments: tuple[tuple[Selector, ...], ...]

    @property
    def is_root(self) -> bool:
        return not self.segments

    def select(self, value: Any) -> Any:
        """The part of ``value`` this expression names; raises :class:`DataProcessingError`."""
        *steps, last = self.segments or ((),)
        for segment in steps:
            value = _one(value, segment[0], self.text)
        if not last:
            return value
        if len(last) == 1 and last[0].kind in ("name", "index"):
            return _one(value, last[0], self.text)
        if all(selector.kind == "name" for selector in last):
            return {selector.name: _one(value, selector, self.text) for selector in last}
        picked: list[Any] = []
        for selector in last:
            picked += _many(value, selector, self.text)
        return picked


def _unsupported(text: str, why: str) -> ConfigurationError:
    return ConfigurationError(
        f"The JSONPath expression {text!r} is not supported: {why}. Batch transform supports "
        f"{SUPPORTED_EXPRESSIONS}."
    )


def _quoted_name(body: str, text: str) -> str | None:
    if len(body) >= 2 and body[0] == body[-1] and body[0] in "'\"":
        name = body[1:-1]
        if body[0] in name:
            raise _unsupported(text, "a quoted name holds its own quote character")
        return name
    return None


def _bracket_selector(body: str, text: str) -> Selector:
    body = body.strip()
    name = _quoted_name(body, text)
    if name is not None:
        return Selector("name", name=name)
    if body == "*":
        return Selector("wildcard")
    if _INTEGER.fullmatch(body):
        return Selector("index", index=int(body))
    sliced = _SLICE.fullmatch(body)
    if sliced:
        start, stop = (int(part) if part is not None else None for part in sliced.groups())
        return Selector("slice", start=start, stop=stop)
    raise _unsupported(text, f"[{body}] is not a quoted name, an index, a slice or *")


def _split_bracket(inner: str, text: str) -> list[str]:
    """Split ``'a','b'`` / ``0,5:`` on commas outside quotes."""
    parts, current, quote = [], "", ""
    for char in inner:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == ",":
            parts.append(current)
            current = ""
            continue
        current += char
    if quote:
        raise _unsupported(text, "a quote is not closed")
    return [*parts, current]


def parse(text: str) -> JsonPath:
    """Parse a filter expression; raises :class:`ConfigurationError` naming what is not supported."""
    if not isinstance(text, str) or not text.strip().startswith("$"):
        raise _unsupported(str(text), "it must start with $")
    source = text.strip()
    position, segments = 1, []
    while position < len(source):
        if source.startswith("..", position):
            raise _unsupported(text, "recursive descent (..) is not an operator batch transform knows")
        if source[position] == ".":
            if source.startswith(".*", position):
                segments.append((Selector("wildcard"),))
                position += 2
                continue
            if source.startswith(".[", position):  # ``$.['a']`` means ``$['a']``
                position += 1
                continue
            match = _NAME.match(source, position + 1)
            if not match:
                raise _unsupported(text, f"no field name after '.' at position {position}")
            segments.append((Selector("name", name=match.group()),))
            position = match.end()
        elif source[position] == "[":
            end = _closing_bracket(source, position, text)
            inner = source[position + 1 : end]
            if inner.strip().startswith(("?", "(")) or "@" in inner:
                raise _unsupported(text, "filters and script expressions (?(), @) are not operators it knows")
            segments.append(tuple(_bracket_selector(part, text) for part in _split_bracket(inner, text)))
            position = end + 1
        else:
            raise _unsupported(text, f"unexpected {source[position]!r} at position {position}")
    for segment in segments[:-1]:
        if len(segment) != 1 or segment[0].kind not in ("name", "index"):
            raise _unsupported(text, "only the last step may select several children (a list, slice or *)")
    return JsonPath(source, tuple(segments))


def _closing_bracket(source: str, start: int, text: str) -> int:
    quote = ""
    for position in range(start + 1, len(source)):
        char = source[position]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "]":
            return position
    raise _unsupported(text, "a '[' is not closed")


def _describe(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def _one(value: Any, selector: Selector, path: str) -> Any:
    if selector.kind == "name":
        if not isinstance(value, dict):
            raise DataProcessingError(
                f"{path}: {selector.name!r} needs a JSON object, not {_describe(value)}"
            )
        if selector.name not in value:
            raise DataProcessingError(
                f"{path}: the record has no {selector.name!r} "
                f"(it has {', '.join(map(repr, value)) or 'no keys'})"
            )
        return value[selector.name]
    if not isinstance(value, list):
        raise DataProcessingError(f"{path}: [{selector.index}] needs an array, not {_describe(value)}")
    if not -len(value) <= selector.index < len(value):
        raise DataProcessingError(
            f"{path}: index {selector.index} is out of range for {len(value)} elements ({_describe(value)})"
        )
    return value[selector.index]


def _many(value: Any, selector: Selector, path: str) -> list[Any]:
    if selector.kind == "wildcard":
        if isinstance(value, dict):
            return list(value.values())
        if isinstance(value, list):
            return list(value)
        raise DataProcessingError(f"{path}: * needs an object or an array, not {_describe(value)}")
    if selector.kind == "slice":
        if not isinstance(value, list):
            raise DataProcessingError(f"{path}: a slice needs an array, not {_describe(value)}")
        return value[selector.start : selector.stop]
    return [_one(value, selector, path)]


def check_data_processing(
    input_filter: str | None, output_filter: str | None, join_source: str | None
) -> None:
    """Refuse, before any job starts, what batch transform could never apply."""
    for expression in (input_filter, output_filter):
        if expression is not None:
            parse(expression)
    if join_source is not None and join_source not in JOIN_SOURCES:
        raise ConfigurationError(
            f"join_source={join_source!r} is not supported; use 'Input' (join each prediction with its "
            "input record) or 'None'."
        )


# ---------------------------------------------------------------------------- CSV rows


def parse_csv_row(line: str) -> list[str]:
    """One CSV record (a line, no header) as its fields."""
    try:
        rows = list(csv.reader([line]))
    except csv.Error as error:
        raise DataProcessingError(f"the line is not valid CSV: {error}") from error
    return rows[0] if rows else []


def csv_row(cells: list[Any]) -> str:
    """Fields as one CSV line (no line end); nested values become JSON text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="")
    writer.writerow([_cell(value) for value in cells])
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return "" if value is None else value


def cells(prediction: Any) -> list[Any]:
    """A prediction as CSV cells: its values, so ``[{"label": "POSITIVE", "score": 0.9}]`` gives
    ``POSITIVE,0.9`` and an embedding gives one cell per number.

    One-element arrays are unwrapped; an object gives its values in order; an array of
    objects gives each object's values in turn; a scalar is one cell.
    """
    while isinstance(prediction, list) and len(prediction) == 1 and isinstance(prediction[0], (list, dict)):
        prediction = prediction[0]
    if isinstance(prediction, dict):
        return list(prediction.values())
    if isinstance(prediction, list):
        if prediction and all(isinstance(item, dict) for item in prediction):
            return [value for item in prediction for value in item.values()]
        return list(prediction)
    return [prediction]


# ---------------------------------------------------------------------------- joining


def join_json(record: Any, prediction: Any) -> dict[str, Any]:
    """SageMaker's JSON join: the prediction under ``SageMakerOutput`` of the input object."""
    if isinstance(record, dict):
        return {**record, OUTPUT_KEY: prediction}
    return {INPUT_KEY: record, OUTPUT_KEY: prediction}


def join_csv(fields: list[str], prediction_cells: list[Any]) -> list[Any]:
    """SageMaker's CSV join: the input row, then the prediction's cells."""
    return [*fields, *prediction_cells]
