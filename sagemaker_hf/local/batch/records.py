"""What a local transform job sends for each record, and what it writes for each answer.

The rules (they are also in the README):

- **JSON** (``application/json``, ``application/jsonlines``, …): each record goes to the
  model as it is, with the job's ``ContentType``; a MultiRecord request holds several
  records one per line, which is what SageMaker sends and what the toolkit answers one
  line per record. ``InputFilter`` sends only the selected part of each record.
- **CSV** (``text/csv``): each line is one record with no header, as SageMaker sends it.
  A model whose ``inference.py`` reads the body itself (``input_fn`` or ``transform_fn``)
  gets the CSV lines (``text/csv``), exactly as on SageMaker. The default handler
  needs a header naming its columns, so records go to it as JSON instead: a row of one
  field as ``{"inputs": "<field>"}``, a row of several as ``{"inputs": [fields]}``.
- **Accept** ``text/csv``: unless ``output_fn``/``transform_fn`` writes the answer itself,
  the model is asked for JSON and each prediction is written as one CSV row of its values
  (:func:`~sagemaker_hf.dataprocessing.cells`), so there is one line per record and no header.
- **One line per record** (``AssembleWith=Line``): an answer for one record that spans
  lines is written compact when it is JSON, and refused otherwise (:func:`one_line`).
- **Join and OutputFilter**: see :mod:`sagemaker_hf.dataprocessing`. The joined JSON is
  written as compact JSON; a joined CSV row as CSV.
- Any other content type is sent as it is (``SplitType=None`` for images, audio, …).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sagemaker_hf import dataprocessing
from sagemaker_hf.dataprocessing import CSV_CONTENT_TYPE, JSON_CONTENT_TYPES, DataProcessingError, JsonPath

JSON_LINES = "application/jsonlines"
JSON = "application/json"
# Hooks that decide for themselves how the body is read / the answer is written.
READING_HOOKS = frozenset({"input_fn", "transform_fn"})
WRITING_HOOKS = frozenset({"output_fn", "transform_fn"})


def media_essence(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def charset(content_type: str | None) -> str:
    """The ``charset`` parameter of a Content-Type (UTF-8 when it names none)."""
    for parameter in (content_type or "").split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"'):
            return value.strip().strip('"')
    return "utf-8"


def one_line(answer: bytes) -> bytes:
    """A one-record answer that spans lines, on one line: JSON is written compact (its newlines
    are whitespace); anything else raises ValueError, as the job cannot tell which newlines matter."""
    try:
        value = json.loads(answer)
    except ValueError:
        lines = answer.count(b"\n") + 1
        raise ValueError(
            f"the model's answer for this record is {lines} lines of text that is not JSON, and "
            "assemble_with='Line' writes one line per record; answer with JSON (accept='application/json') "
            "or one line, or use assemble_with=None to write the answers as they are"
        ) from None
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def record_kind(content_type: str | None) -> str:
    """``json``, ``csv`` or ``other``: which records DataProcessing can read."""
    essence = media_essence(content_type)
    if essence in JSON_CONTENT_TYPES:
        return "json"
    return "csv" if essence == CSV_CONTENT_TYPE else "other"


@dataclass(frozen=True)
class RecordCodec:
    """Turns records into request bodies and answers into output lines, for one job."""

    kind: str
    content_type: str | None  # the job's ContentType
    accept: str | None  # the job's Accept
    input_filter: JsonPath | None
    output_filter: JsonPath | None
    join_input: bool
    csv_as_json: bool  # CSV records go to the default handler as {"inputs": ...}
    csv_answers: bool  # ask for JSON, write CSV rows

    @classmethod
    def for_job(cls, request: dict[str, Any], hooks: frozenset[str]) -> RecordCodec:
        content_type = request["TransformInput"].get("ContentType")
        accept = request["TransformOutput"].get("Accept")
        processing = request.get("DataProcessing", {})
        kind = record_kind(content_type)
        return cls(
            kind=kind,
            content_type=content_type,
            accept=accept,
            input_filter=_path(processing.get("InputFilter")),
            output_filter=_path(processing.get("OutputFilter")),
            join_input=processing.get("JoinSource") == "Input",
            csv_as_json=kind == "csv" and not (hooks & READING_HOOKS),
            csv_answers=media_essence(accept) == CSV_CONTENT_TYPE and not (hooks & WRITING_HOOKS),
        )

    # ---- requests --------------------------------------------------------------------

    @property
    def request_content_type(self) -> str | None:
        return JSON_LINES if self.csv_as_json else self.content_type

    @property
    def request_accept(self) -> str | None:
        return JSON if self.csv_answers else self.accept

    def request_body(self, record: bytes) -> bytes:
        """The body part one record contributes (before MultiRecord joins records with ``\\n``)."""
        if self.kind == "json" and self.input_filter is not None:
            selected = self.input_filter.select(_json(record))
            return json.dumps(selected, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if self.kind != "csv" or not (self.csv_as_json or self.input_filter):
            return record
        fields: Any = dataprocessing.parse_csv_row(_text(record))
        if self.input_filter is not None:
            fields = self.input_filter.select(fields)
        if not self.csv_as_json:
            return dataprocessing.csv_row(fields if isinstance(fields, list) else [fields]).encode("utf-8")
        inputs = fields[0] if isinstance(fields, list) and len(fields) == 1 else fields
        return json.dumps({"inputs": inputs}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    # ---- answers ---------------------------------------------------------------------

    @property
    def rewrites_answers(self) -> bool:
        return self.join_input or self.output_filter is not None or self.csv_answers

    def output(self, record: bytes, answer: bytes) -> bytes:
        """What is written for one record, given the model's answer for it (one line, no line end)."""
        if not self.rewrites_answers:
            return answer
        prediction = _prediction(answer, self.kind)
        if self.kind == "csv":
            return self._csv_output(record, prediction)
        value = dataprocessing.join_json(_json(record), prediction) if self.join_input else prediction
        if self.output_filter is not None:
            value = self.output_filter.select(value)
        if self.csv_answers:
            return dataprocessing.csv_row(dataprocessing.cells(value)).encode("utf-8")
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def _csv_output(self, record: bytes, prediction: Any) -> bytes:
        predicted = prediction if isinstance(prediction, _CsvCells) else dataprocessing.cells(prediction)
        row: Any = list(predicted)
        if self.join_input:
            row = dataprocessing.join_csv(dataprocessing.parse_csv_row(_text(record)), row)
        if self.output_filter is not None:
            row = self.output_filter.select(row)
        return dataprocessing.csv_row(row if isinstance(row, list) else [row]).encode("utf-8")


class _CsvCells(list):
    """An answer that was a CSV row rather than JSON: its fields are the cells."""


def _path(expression: str | None) -> JsonPath | None:
    if expression is None:
        return None
    path = dataprocessing.parse(expression)
    return None if path.is_root else path


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataProcessingError(f"the record is not UTF-8 text (byte {error.start})") from error


def _json(record: bytes) -> Any:
    try:
        return json.loads(_text(record))
    except json.JSONDecodeError as error:
        raise DataProcessingError(
            f"the record is not valid JSON: {error.msg} at column {error.colno}"
        ) from error


def _prediction(answer: bytes, kind: str) -> Any:
    """The answer as JSON; an answer that is not JSON is a CSV row (CSV jobs) or text."""
    text = _text(answer)
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return _CsvCells(dataprocessing.parse_csv_row(text)) if kind == "csv" else text
