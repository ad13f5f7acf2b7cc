"""The TaskModel protocol, and what every task model shares: JSON-able results and
per-item error isolation for batches."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from sagemaker_hf.toolkit.errors import BadInputError


@runtime_checkable
class TaskModel(Protocol):
    """One loaded model answering one task.

    ``predict`` answers one request: ``inputs`` is the request's "inputs" (or the whole body
    when it had no "inputs" key), ``parameters`` its "parameters". It returns JSON-able data
    in the transformers 4.x response shape, and raises BadInputError for malformed input.

    ``predict_batch`` answers several requests that share ``parameters`` in as few model
    calls as it can: one result per request, in order; a bad request yields its
    BadInputError in its slot and fails nothing else. ``batchable`` says whether it really
    shares model calls (otherwise it runs the requests one by one).

    Optional, for text generation: ``streams = True`` and ``predict_stream(inputs,
    parameters)``, which checks the request (BadInputError) and returns a
    ``tasks.streaming.TextStream``: iterate it for the text pieces as they are generated,
    then ``generated_text()`` / ``result()`` give the full answer; ``cancel()`` stops it.
    """

    task: str
    batchable: bool
    accepts_csv: bool

    def predict(self, inputs: Any, parameters: dict[str, Any]) -> Any: ...

    def predict_batch(self, inputs: list[Any], parameters: dict[str, Any]) -> list[Any]: ...


# Largest number of sequences (or images, or clips) one forward pass takes.
MAX_MODEL_BATCH = 32


def length_chunks(lengths: list[int], max_ratio: float = 2.0) -> list[list[int]]:
    """Indexes sorted by length, cut into chunks of at most MAX_MODEL_BATCH whose longest is at
    most ``max_ratio`` times their shortest. Padding a batch to its longest input is compute for
    nothing: on CPU, batches of mixed lengths ran ~20% (sentence-embeddings) to ~35%
    (feature-extraction) faster in such chunks."""
    chunks: list[list[int]] = []
    for index in sorted(range(len(lengths)), key=lengths.__getitem__):
        current = chunks[-1] if chunks else None
        if current and len(current) < MAX_MODEL_BATCH and lengths[index] <= max_ratio * lengths[current[0]]:
            current.append(index)
        else:
            chunks.append([index])
    return chunks


def predict_each(
    predict: Callable[[Any, dict[str, Any]], Any], inputs: list[Any], parameters: dict[str, Any]
) -> list[Any]:
    """Run ``predict`` per request; a BadInputError becomes that request's result."""
    results: list[Any] = []
    for item in inputs:
        try:
            results.append(predict(item, parameters))
        except BadInputError as error:
            results.append(error)
    return results


def rejected_request_errors() -> tuple[type[BaseException], ...]:
    """What pipelines, generate() and chat templates raise for a request they cannot use:
    a bad value (an unknown ``function_to_apply`` is a KeyError), a wrong shape, a missing
    field, an input longer than the model's position embeddings (an IndexError in the
    embedding lookup), or a conversation the chat template refuses."""
    from transformers.pipelines.base import PipelineException

    errors: tuple[type[BaseException], ...] = (ValueError, TypeError, KeyError, IndexError, PipelineException)
    try:
        from jinja2 import TemplateError  # chat templates need jinja2; without it there are none
    except ImportError:
        return errors
    return (*errors, TemplateError)


def require_parameters_dict(parameters: Any) -> dict[str, Any]:
    if parameters is None:
        return {}
    if not isinstance(parameters, dict):
        raise BadInputError(
            f'"parameters" must be a JSON object of keyword arguments, got {type(parameters).__name__}: '
            f'{preview(parameters)}. Send e.g. {{"inputs": "...", "parameters": {{"top_k": 2}}}}.'
        )
    for name, value in parameters.items():
        if _nesting_depth(value) > MAX_PARAMETER_DEPTH:
            raise BadInputError(
                f"parameter {preview(name, 60)} nests lists or objects more than {MAX_PARAMETER_DEPTH} "
                "levels deep; parameter values are numbers, strings, or short lists and objects of them"
            )
    return parameters


# No pipeline parameter nests deeper than a few levels (bad_words_ids is a list of lists); a
# value nested hundreds deep makes transformers' own error messages fail with RecursionError.
MAX_PARAMETER_DEPTH = 16
# Task inputs nest a few levels (a table, an image as rows of pixels, pairs of texts); near
# Python's recursion limit the first repr or walk of them fails with RecursionError, a 500 for
# what is a bad request.
MAX_INPUT_DEPTH = 64


def require_shallow_inputs(inputs: Any) -> None:
    if _nesting_depth(inputs, MAX_INPUT_DEPTH) > MAX_INPUT_DEPTH:
        raise BadInputError(
            f'"inputs" nests lists or objects more than {MAX_INPUT_DEPTH} levels deep; send texts, '
            "lists of them, or the shallow objects the task documents"
        )


def _nesting_depth(value: Any, limit: int = MAX_PARAMETER_DEPTH) -> int:
    """How deeply lists and dicts nest in ``value`` (up to ``limit`` + 1), counted without recursion."""
    deepest = 0
    pending = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, (list, dict)):
            if depth + 1 > limit:
                return depth + 1
            deepest = max(deepest, depth + 1)
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return deepest


_PLAIN_ITEMS = frozenset({str, bool, int, float, type(None)})


def plain_output(value: Any) -> Any:
    """Plain JSON types from pipeline output: numpy and torch values become Python numbers and
    lists, tuples become lists, PIL images become base64-encoded PNG strings."""
    if type(value) is list and set(map(type, value)) <= _PLAIN_ITEMS:
        # One C-speed pass over a row of numbers, kept as it is: feature-extraction's token states
        # are thousands of floats per input, and a call per float cost ~15% of a batch's time.
        return value
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, dict):
        return {str(key): plain_output(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_output(item) for item in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars, torch tensors
        return plain_output(value.detach().cpu().tolist() if hasattr(value, "detach") else value.tolist())
    if _is_pil_image(value):
        buffer = io.BytesIO()
        value.save(buffer, format="PNG")
        return base64.b64encode(buffer.getvalue()).decode("ascii")
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return str(value)


def _is_pil_image(value: Any) -> bool:
    return type(value).__module__.startswith("PIL.") and hasattr(value, "save")


def preview(value: Any, limit: int = 80) -> str:
    """A short repr of a request value for error messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
