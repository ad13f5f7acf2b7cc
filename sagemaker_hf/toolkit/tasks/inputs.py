"""Validate and shape a request's text inputs for each task.

Every check raises BadInputError naming what was wrong, the value, and what to send.
A ``Prepared`` holds the items one request contributes to a model call, so that several
requests can share one call and get their own results back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sagemaker_hf.toolkit.errors import BadInputError
from sagemaker_hf.toolkit.tasks.base import preview


@dataclass(frozen=True)
class Prepared:
    """The items of one request; ``many`` is False when the request sent one item, not a list."""

    items: list[Any]
    many: bool

    @classmethod
    def one_or_many(cls, value: Any, items: list[Any]) -> Prepared:
        return cls(items=items, many=isinstance(value, list))

    def as_call_input(self) -> Any:
        return self.items if self.many else self.items[0]


def texts(inputs: Any, task: str, example: str = '"inputs": "I love this movie!"') -> Prepared:
    """A string or a non-empty list of strings."""
    if isinstance(inputs, str):
        return Prepared([inputs], many=False)
    if isinstance(inputs, list) and inputs and all(isinstance(item, str) for item in inputs):
        return Prepared(list(inputs), many=True)
    raise BadInputError(
        f"{task} expects 'inputs' to be a string or a non-empty list of strings, got "
        f"{_describe(inputs)}. Send e.g. {{{example}}}."
    )


def classification_texts(inputs: Any) -> Prepared:
    """text-classification: strings, or ``{"text", "text_pair"}`` objects, or a list of either."""
    values = inputs if isinstance(inputs, list) else [inputs]
    if not values or not all(_is_text_or_pair(value) for value in values):
        raise BadInputError(
            "text-classification expects 'inputs' to be a string, an object "
            '{"text": "...", "text_pair": "..."}, or a non-empty list of those, got '
            f'{_describe(inputs)}. Send e.g. {{"inputs": "I love this movie!"}}.'
        )
    return Prepared.one_or_many(inputs, list(values))


def masked_texts(inputs: Any, mask_token: str | None) -> Prepared:
    prepared = texts(inputs, "fill-mask", example=f'"inputs": "Paris is the {mask_token} of France."')
    if mask_token:
        for text in prepared.items:
            if mask_token not in text:
                raise BadInputError(
                    f"fill-mask needs the mask token {mask_token} in every input; {preview(text)} has none. "
                    f'Send e.g. {{"inputs": "Paris is the {mask_token} of France."}}.'
                )
    return prepared


def is_chat(value: Any) -> bool:
    """A list of ``{"role": ..., "content": ...}`` messages."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(message, dict) and "role" in message and "content" in message for message in value)
    )


def chat_messages(value: Any, task: str) -> list[dict[str, Any]]:
    for message in value:
        if not isinstance(message.get("role"), str) or not isinstance(message.get("content"), (str, list)):
            raise BadInputError(
                f"{task}: every message needs a string 'role' and a string 'content', got {preview(message)}."
            )
    return value


def prompts(inputs: Any) -> Prepared:
    """text-generation: a string, a list of strings, a chat (list of messages) or a list of chats."""
    if is_chat(inputs):
        return Prepared([chat_messages(inputs, "text-generation")], many=False)
    if isinstance(inputs, list) and inputs and all(is_chat(item) for item in inputs):
        return Prepared([chat_messages(item, "text-generation") for item in inputs], many=True)
    return texts(inputs, "text-generation", example='"inputs": "Once upon a time"')


def question_context_pairs(inputs: Any) -> Prepared:
    """question-answering: ``{"question", "context"}`` (strings, or a list of questions with one context
    or as many contexts), or a list of such objects.

    Items are ``(question, context)`` tuples. Like the 4.x pipeline, exactly one pair
    answers as a single result, not a list.
    """
    if isinstance(inputs, dict):
        question, context = _question_and_context(inputs)
        if isinstance(question, list) or isinstance(context, list):
            return _zipped_pairs(question, context)
        return Prepared([(question, context)], many=False)
    if isinstance(inputs, list) and inputs and all(isinstance(item, dict) for item in inputs):
        pairs = [_question_and_context(item) for item in inputs]
        for question, context in pairs:
            if not (isinstance(question, str) and isinstance(context, str)):
                raise BadInputError(_QA_HELP.format(got=preview(inputs)))
        return Prepared(pairs, many=len(pairs) > 1)
    raise BadInputError(_QA_HELP.format(got=_describe(inputs)))


_QA_EXAMPLE = (
    'Send e.g. {"inputs": {"question": "What is used for inference?", '
    '"context": "This model is used with sagemaker for inference."}}.'
)
_QA_HELP = (
    'question-answering expects \'inputs\' to be {{"question": "...", "context": "..."}} (or a list of '
    "them), got {got}. " + _QA_EXAMPLE.replace("{", "{{").replace("}", "}}")
)


def _question_and_context(item: dict[str, Any]) -> tuple[Any, Any]:
    missing = [key for key in ("question", "context") if key not in item]
    if missing:
        raise BadInputError(
            "question-answering needs both 'question' and 'context'; missing "
            f"{' and '.join(map(repr, missing))} in {preview(item)}. {_QA_EXAMPLE}"
        )
    question, context = item["question"], item["context"]
    for key, value in (("question", question), ("context", context)):
        if isinstance(value, str) and not value.strip():
            raise BadInputError(f"question-answering: '{key}' is empty. Send a non-empty string.")
    return question, context


def _zipped_pairs(questions: Any, contexts: Any) -> Prepared:
    if isinstance(questions, list) and isinstance(contexts, str):
        contexts = [contexts] * len(questions)  # several questions about one context
    if not (isinstance(questions, list) and isinstance(contexts, list)) or len(questions) != len(contexts):
        raise BadInputError(
            "question-answering: when 'question' is a list, 'context' must be one string or a list of the "
            f"same length; got {_describe(questions)} and {_describe(contexts)}."
        )
    pairs = list(zip(questions, contexts, strict=True))
    if not pairs or not all(
        isinstance(q, str) and isinstance(c, str) and q.strip() and c.strip() for q, c in pairs
    ):
        raise BadInputError("question-answering: every question and context must be a non-empty string.")
    return Prepared(pairs, many=len(pairs) > 1)


def table_query(inputs: Any) -> dict[str, Any]:
    """table-question-answering: ``{"query": str | [str], "table": {column: [cells]}}``.

    ``question`` is accepted for ``query``, a list of row objects for the table, and every
    cell becomes a string (TAPAS reads text).
    """
    if not isinstance(inputs, dict):
        raise BadInputError(_TABLE_HELP.format(problem=f"got {_describe(inputs)}"))
    query = inputs.get("query", inputs.get("question"))
    if not (isinstance(query, str) and query.strip()) and not (
        isinstance(query, list) and query and all(isinstance(q, str) and q.strip() for q in query)
    ):
        raise BadInputError(
            _TABLE_HELP.format(problem=f"'query' must be a non-empty string, got {preview(query)}")
        )
    return {"query": query, "table": _table_columns(inputs.get("table"))}


_TABLE_HELP = (
    "table-question-answering expects 'inputs' to be "
    '{{"query": "...", "table": {{"column": ["cell", ...]}}}}; {problem}. Send e.g. {{"inputs": '
    '{{"query": "How many stars?", "table": {{"Repository": ["Transformers"], "Stars": ["36542"]}}}}}}.'
)


def _table_columns(table: Any) -> dict[str, list[str]]:
    if isinstance(table, list) and table and all(isinstance(row, dict) for row in table):
        columns = list(dict.fromkeys(key for row in table for key in row))
        table = {column: [row.get(column, "") for row in table] for column in columns}
    if not isinstance(table, dict) or not table:
        raise BadInputError(
            _TABLE_HELP.format(problem=f"'table' must be a non-empty object, got {preview(table)}")
        )
    lengths = set()
    for column, cells in table.items():
        if not isinstance(cells, list):
            raise BadInputError(
                _TABLE_HELP.format(problem=f"column {column!r} must be a list of cells, got {preview(cells)}")
            )
        lengths.add(len(cells))
    if len(lengths) != 1:
        raise BadInputError(
            _TABLE_HELP.format(problem=f"every column needs the same number of cells, got {lengths}")
        )
    return {
        str(column): ["" if cell is None else str(cell) for cell in cells] for column, cells in table.items()
    }


def candidate_labels(parameters: dict[str, Any], task: str) -> list[str] | str:
    """The required ``candidate_labels`` (``candidateLabels`` accepted) of the zero-shot tasks."""
    labels = parameters.get("candidate_labels", parameters.get("candidateLabels"))
    if isinstance(labels, str) and labels.strip():
        return labels
    if (
        isinstance(labels, list)
        and labels
        and all(isinstance(label, str) and label.strip() for label in labels)
    ):
        return labels
    got = "none" if labels is None else preview(labels)
    raise BadInputError(
        f"{task} needs parameters.candidate_labels, a non-empty list of label strings; got {got}. Send e.g. "
        '{"inputs": "...", "parameters": {"candidate_labels": ["refund", "legal", "faq"]}}.'
    )


def _is_text_or_pair(value: Any) -> bool:
    if isinstance(value, str):
        return True
    return (
        isinstance(value, dict)
        and isinstance(value.get("text"), str)
        and isinstance(value.get("text_pair", ""), str)
        and set(value) <= {"text", "text_pair"}
    )


def _describe(value: Any) -> str:
    if isinstance(value, list) and not value:
        return "an empty list"
    return f"{type(value).__name__} {preview(value)}"
