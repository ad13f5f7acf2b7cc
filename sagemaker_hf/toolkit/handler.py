"""The request lifecycle inside a worker: setup → decode → predict → encode.

User hooks replace single steps (``model_fn``, ``input_fn``, ``predict_fn``,
``output_fn``) or the last three at once (``transform_fn``). A multi-record body (JSON
Lines) answers one line per record.

Several requests (a batch from the front, or the records of one multi-record body) are
decoded and encoded one by one, and predicted together when the model batches: one
``predict_batch`` call per distinct ``parameters``, at most ``SAGEMAKER_HF_MAX_BATCH_SIZE``
inputs each. A bad input fails only its own request. If a shared call raises, its inputs
are retried one by one, so that only the input that breaks the model fails.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sagemaker_hf.toolkit import codecs, encoders, loading, media_types, messages, sse
from sagemaker_hf.toolkit.errors import BadInputError, ModelError, ModelLoadError, ToolkitError
from sagemaker_hf.toolkit.settings import Settings
from sagemaker_hf.toolkit.user_code import Context, UserHooks

logger = logging.getLogger(__name__)


@dataclass
class Result:
    body: bytes
    content_type: str
    timings: dict[str, float] = field(default_factory=dict)  # phase -> seconds


def split_payload(data: Any) -> tuple[Any, dict[str, Any]]:
    """``{"inputs": ..., "parameters": {...}}`` -> (inputs, parameters); any other value is the input."""
    if not (isinstance(data, dict) and "inputs" in data):
        return data, {}
    parameters = data.get("parameters")
    if parameters is None:
        return data["inputs"], {}
    if not isinstance(parameters, dict):
        raise BadInputError(
            f'"parameters" must be an object of keyword arguments such as {{"top_k": 2}}, '
            f"not a {type(parameters).__name__}"
        )
    return data["inputs"], parameters


def batch_key(data: Any) -> str | None:
    """Payloads with equal keys may share a model call (their ``parameters`` are equal);
    None: the payload goes alone (its parameters are unusable, or it asks for a stream)."""
    if not isinstance(data, dict) or "inputs" not in data:
        return ""
    if data.get("stream") is True:
        return None
    parameters = data.get("parameters")
    if parameters is None:
        return ""
    if not isinstance(parameters, dict):
        return None
    try:
        return json.dumps(parameters, sort_keys=True, default=repr)
    except (RecursionError, ValueError, TypeError):  # nested too deep to compare: the request goes alone
        return None


def guarded(function: Callable[..., Any], *arguments: Any) -> Any:
    """``function(*arguments)``, or the ToolkitError it raised (anything else becomes a ModelError)."""
    try:
        return function(*arguments)
    except ToolkitError as error:
        return error
    except (Exception, SystemExit) as error:
        logger.exception("handling a request failed")
        return ModelError(f"unexpected {type(error).__name__}: {error}")


@dataclass
class Decoded:
    """One request after decoding: its payload, or each record of a multi-record body."""

    payloads: list[Any]
    records: bool
    timings: dict[str, float]


class Handler:
    """One loaded model and the hooks around it. Not thread-safe: a worker runs one at a time."""

    def __init__(self, settings: Settings, model_dir: Path, hooks: UserHooks, context: Context, device: str):
        self.settings = settings
        self.model_dir = model_dir
        self.hooks = hooks
        self.context = context
        self.device = device
        self.model: Any = None
        self.task: str | None = None
        self.accepts_csv = True
        self.batchable = False  # several requests may share one model call
        self.streams = False  # text generation can answer as server-sent events
        self._task_model = False
        self.runs_in_lanes = False  # several batches may run at once (lanes.py)
        self.lanes_by_default = False  # ... and do unless SAGEMAKER_HF_LANES says otherwise

    # ------------------------------------------------------------------ setup

    def setup(self) -> None:
        """Load the model: the user's ``model_fn``, or the task model for the model directory."""
        if self.hooks.model_fn is not None:
            problem = loading.nested_archive_problem(self.model_dir)
            if problem:
                logger.warning("%s: %s", self.model_dir, problem)
            try:
                self.model = self.hooks.model_fn(str(self.model_dir), context=self.context)
            except ModelError as error:
                raise ModelLoadError(error.message) from error
            self.batchable = self.hooks.predict_batch_fn is not None
            return
        loading.check_model_dir(self.model_dir)
        try:
            from sagemaker_hf.toolkit import tasks
        except ImportError as error:
            raise ModelLoadError(
                f"the task adapters (sagemaker_hf.toolkit.tasks) cannot be imported: {error}"
            ) from error
        self.task = tasks.resolve_task(self.model_dir, self.settings.hf_task)
        logger.info("loading %s as %s on %s", self.model_dir, self.task, self.device)
        try:
            self.model = tasks.load_task_model(
                self.task,
                self.model_dir,
                device=self.device,
                trust_remote_code=self.settings.trust_remote_code,
            )
        except ToolkitError:
            raise
        except Exception as error:
            logger.exception("loading the %s model failed", self.task)
            raise ModelLoadError(
                f"loading {self.model_dir} as {self.task} failed with {type(error).__name__}: {error}"
            ) from error
        self._task_model = True
        self.accepts_csv = bool(getattr(self.model, "accepts_csv", True))
        default_predict = self.hooks.predict_fn is None and self.hooks.transform_fn is None
        self.batchable = self.hooks.predict_batch_fn is not None or (
            default_predict and bool(getattr(self.model, "batchable", False))
        )
        self.streams = not self.hooks.names and bool(getattr(self.model, "streams", False))
        # Only the task model's own forward calls run side by side (lanes.py); a user's
        # input_fn or output_fn still runs one batch at a time, inside the gate.
        task_predicts = default_predict and self.hooks.predict_batch_fn is None
        self.runs_in_lanes = (
            task_predicts and not self.streams and bool(getattr(self.model, "runs_in_lanes", False))
        )
        self.lanes_by_default = self.runs_in_lanes and bool(getattr(self.model, "lanes_by_default", True))
        # Arrays the encoders write as the same JSON, faster (token_states.py); a user's
        # output_fn gets the lists it always got.
        if task_predicts and self.hooks.output_fn is None and hasattr(self.model, "numpy_answers"):
            self.model.numpy_answers = True

    # ------------------------------------------------------------------ requests

    def handle(self, body: bytes, content_type: str | None, accept: str) -> Result:
        """Run one request; raises a :class:`ToolkitError` subclass on failure."""
        answer = self.handle_many([messages.Request(0, body, content_type, accept)])[0]
        if isinstance(answer, ToolkitError):
            raise answer
        return answer

    def handle_many(self, requests: Sequence[messages.Request]) -> list[Result | ToolkitError]:
        """Answer several requests, in order; a request's slot holds its error if it failed."""
        answers: list[Result | ToolkitError] = [ModelError("not answered")] * len(requests)
        decoded: dict[int, Decoded] = {}
        for index, request in enumerate(requests):
            outcome = guarded(self._transform if self.hooks.transform_fn else self._decode, request)
            if isinstance(outcome, Decoded):
                decoded[index] = outcome
            else:
                answers[index] = outcome
        started = time.perf_counter()
        predictions = self._predict_all([payload for item in decoded.values() for payload in item.payloads])
        predict_seconds = time.perf_counter() - started
        offset = 0
        for index, item in decoded.items():
            item.timings["predict"] = predict_seconds
            mine = predictions[offset : offset + len(item.payloads)]
            offset += len(item.payloads)
            answers[index] = guarded(self._encode_answer, item, mine, requests[index].accept)
        return answers

    def _transform(self, request: messages.Request) -> Result:
        parsed = media_types.parse_media_type(request.content_type or media_types.JSON)
        started = time.perf_counter()
        output = self.hooks.transform_fn(
            self.model,
            self._hook_input(request.body, parsed),
            parsed.essence,
            request.accept,
            context=self.context,
        )
        body, response_type = self._hook_output(output, request.accept)
        return Result(body, response_type, {"transform": time.perf_counter() - started})

    def _decode(self, request: messages.Request) -> Decoded:
        started = time.perf_counter()
        if self.hooks.input_fn is not None:
            parsed = media_types.parse_media_type(request.content_type or media_types.JSON)
            data = self.hooks.input_fn(
                self._hook_input(request.body, parsed), parsed.essence, context=self.context
            )
        else:
            data = codecs.decode(
                request.body, request.content_type, accepts_csv=self.accepts_csv, task=self.task
            )
        timings = {"decode": time.perf_counter() - started}
        if not isinstance(data, codecs.MultiRecord):
            return Decoded([data], records=False, timings=timings)
        if self.hooks.output_fn is None:
            encoders.encode_records([], request.accept)  # refuse CSV/npy before running the model
        return Decoded(list(data), records=True, timings=timings)

    def _encode_answer(self, item: Decoded, predictions: list[Any], accept: str) -> Result:
        for number, prediction in enumerate(predictions, start=1):
            if isinstance(prediction, ToolkitError):
                if item.records:
                    raise type(prediction)(f"record {number} of {len(predictions)}: {prediction.message}")
                raise prediction
        started = time.perf_counter()
        if not item.records:
            body, response_type = self._encode(predictions[0], accept)
        elif self.hooks.output_fn is None:
            body, response_type = encoders.encode_records(predictions, accept), accept
        else:
            outputs = [self._encode(prediction, accept) for prediction in predictions]
            body = encoders.join_lines([encoded for encoded, _ in outputs])
            response_type = outputs[0][1] if outputs else accept
        item.timings["encode"] = time.perf_counter() - started
        return Result(body, response_type, item.timings)

    # ------------------------------------------------------------------ predict, alone or batched

    def _predict_all(self, payloads: list[Any]) -> list[Any]:
        """A prediction (or ToolkitError) per payload; batched by ``parameters`` when the model batches."""
        if len(payloads) < 2 or not self.batchable:
            return [guarded(self._predict, payload) for payload in payloads]
        results: list[Any] = [None] * len(payloads)
        groups: dict[str, list[int]] = {}
        for index, payload in enumerate(payloads):
            key = batch_key(payload)
            if key is None:
                results[index] = guarded(self._predict, payload)
            else:
                groups.setdefault(key, []).append(index)
        size = self.settings.max_batch_size
        for indices in groups.values():
            for first in range(0, len(indices), size):
                chunk = indices[first : first + size]
                for index, result in zip(
                    chunk, self._predict_chunk([payloads[i] for i in chunk]), strict=True
                ):
                    results[index] = result
        return results

    def _predict_chunk(self, payloads: list[Any]) -> list[Any]:
        if len(payloads) == 1:
            return [guarded(self._predict, payloads[0])]
        try:
            return self._predict_batch(payloads)
        except (Exception, SystemExit) as error:
            logger.warning(
                "a batch of %d inputs failed (%s: %s); answering them one by one so that only the "
                "input that fails gets the error",
                len(payloads),
                type(error).__name__,
                getattr(error, "message", error),
            )
            return [guarded(self._predict, payload) for payload in payloads]

    def _predict_batch(self, payloads: list[Any]) -> list[Any]:
        """One shared model call for payloads with equal parameters."""
        if self.hooks.predict_batch_fn is not None:
            outputs = self.hooks.predict_batch_fn(list(payloads), self.model, context=self.context)
            who = "predict_batch_fn in user code"
        else:
            split = [self._task_inputs(payload) for payload in payloads]
            outputs = self.model.predict_batch([inputs for inputs, _ in split], split[0][1])
            who = f"the {self.task} model's predict_batch"
        if not isinstance(outputs, (list, tuple)) or len(outputs) != len(payloads):
            got = (
                f"{len(outputs)} results"
                if isinstance(outputs, (list, tuple))
                else f"a {type(outputs).__name__}"
            )
            raise ModelError(
                f"{who} returned {got} for {len(payloads)} inputs; return a list with one prediction per "
                "input, in order"
            )
        return list(outputs)

    def _task_inputs(self, data: Any) -> tuple[Any, dict[str, Any]]:
        if isinstance(data, dict) and data.get("stream") is True:
            raise BadInputError(
                f'"stream": true is answered with server-sent events by text-generation models, sent one '
                f"application/json request at a time; this request cannot stream here (task {self.task}). "
                'Remove "stream"'
            )
        from sagemaker_hf.toolkit.tasks.base import require_shallow_inputs

        inputs, parameters = split_payload(data)
        require_shallow_inputs(inputs)
        return inputs, parameters

    # ------------------------------------------------------------------ streams

    def stream(self, request: messages.Request) -> sse.EventStream:
        """A streamed answer's events; raises a :class:`ToolkitError` for a request that cannot stream."""
        data = codecs.decode(request.body, request.content_type, accepts_csv=self.accepts_csv, task=self.task)
        if isinstance(data, codecs.MultiRecord):
            raise BadInputError("a stream answers one JSON request; send one JSON object, not JSON Lines")
        inputs, parameters = split_payload(data)
        return sse.EventStream(self.model.predict_stream(inputs, parameters))

    def _predict(self, data: Any) -> Any:
        if self.hooks.predict_batch_fn is not None:
            return self._predict_batch([data])[0]
        if self.hooks.predict_fn is not None:
            return self.hooks.predict_fn(data, self.model, context=self.context)
        if self._task_model:
            inputs, parameters = self._task_inputs(data)
            try:
                return self.model.predict(inputs, parameters)
            except ToolkitError:
                raise
            except Exception as error:
                logger.exception("the %s model raised", self.task)
                raise ModelError(f"the {self.task} model raised {type(error).__name__}: {error}") from error
        inputs, parameters = split_payload(data)
        if not callable(self.model):
            raise ModelError(
                f"model_fn returned a {type(self.model).__name__}, which is not callable; return a callable "
                "(such as a pipeline) or add a predict_fn to code/inference.py"
            )
        try:
            return self.model(inputs, **parameters)
        except ToolkitError:
            raise
        except Exception as error:
            logger.exception("the model returned by model_fn raised")
            raise ModelError(
                f"the model returned by model_fn raised {type(error).__name__}: {error}"
            ) from error

    def _encode(self, prediction: Any, accept: str) -> tuple[bytes, str]:
        if self.hooks.output_fn is not None:
            return self._hook_output(self.hooks.output_fn(prediction, accept, context=self.context), accept)
        return encoders.encode(prediction, accept), accept

    # ------------------------------------------------------------------ hook plumbing

    @staticmethod
    def _hook_input(body: bytes, content_type: media_types.MediaType) -> bytes | str:
        """Text bodies reach user hooks as ``str`` (as in the AWS toolkit), others as ``bytes``."""
        decoder = media_types.decoder_for(content_type)
        if decoder in media_types.TEXT_DECODERS or content_type.essence.startswith("text/"):
            return codecs.body_text(body, content_type)
        return body

    @staticmethod
    def _hook_output(output: Any, accept: str) -> tuple[bytes, str]:
        """A hook's return value as (body, content type).

        ``bytes`` and ``str`` are sent as they are, with ``accept`` as the type; a
        ``(body, content_type)`` tuple sets the type; anything else is encoded as
        ``accept`` when the default encoders can, else as JSON.
        """
        content_type = accept
        if isinstance(output, tuple) and len(output) == 2 and isinstance(output[1], str):
            output, content_type = output
        if isinstance(output, (bytes, bytearray, memoryview)):
            return bytes(output), content_type
        if isinstance(output, str):
            return output.encode("utf-8"), content_type
        if media_types.parse_media_type(content_type).essence in media_types.ENCODERS:
            return encoders.encode(output, content_type), content_type
        return encoders.encode(output, media_types.JSON), media_types.JSON
