"""The request lifecycle inside a worker: setup → decode → predict → encode.

User hooks replace single steps (``model_fn``, ``input_fn``, ``predict_fn``,
``output_fn``) or the last three at once (``transform_fn``). A multi-record body (JSON
Lines) runs predict and encode once per record and answers one line per record.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sagemaker_hf.toolkit import codecs, loading, media
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
        self.batchable = False
        self._task_model = False

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
        self.batchable = bool(getattr(self.model, "batchable", False))

    # ------------------------------------------------------------------ requests

    def handle(self, body: bytes, content_type: str | None, accept: str) -> Result:
        """Run one request; raises a :class:`ToolkitError` subclass on failure."""
        parsed = media.parse_media_type(content_type or media.JSON)
        timings: dict[str, float] = {}
        if self.hooks.transform_fn is not None:
            started = time.perf_counter()
            output = self.hooks.transform_fn(
                self.model, self._hook_input(body, parsed), parsed.essence, accept, context=self.context
            )
            result = self._hook_output(output, accept)
            timings["transform"] = time.perf_counter() - started
            return Result(result[0], result[1], timings)

        started = time.perf_counter()
        if self.hooks.input_fn is not None:
            data = self.hooks.input_fn(self._hook_input(body, parsed), parsed.essence, context=self.context)
        else:
            data = codecs.decode(body, content_type, accepts_csv=self.accepts_csv, task=self.task)
        timings["decode"] = time.perf_counter() - started

        if isinstance(data, codecs.MultiRecord):
            return self._handle_records(data, accept, timings)

        started = time.perf_counter()
        prediction = self._predict(data)
        timings["predict"] = time.perf_counter() - started
        started = time.perf_counter()
        encoded, response_type = self._encode(prediction, accept)
        timings["encode"] = time.perf_counter() - started
        return Result(encoded, response_type, timings)

    def _handle_records(self, records: codecs.MultiRecord, accept: str, timings: dict[str, float]) -> Result:
        if self.hooks.output_fn is None:
            codecs.encode_records([], accept)  # refuse CSV/npy before running the model
        started = time.perf_counter()
        predictions = []
        for number, record in enumerate(records, start=1):
            try:
                predictions.append(self._predict(record))
            except ToolkitError as error:
                raise type(error)(f"record {number} of {len(records)}: {error.message}") from error
        timings["predict"] = time.perf_counter() - started
        started = time.perf_counter()
        if self.hooks.output_fn is None:
            body, response_type = codecs.encode_records(predictions, accept), accept
        else:
            outputs = [self._encode(prediction, accept) for prediction in predictions]
            body = codecs.join_lines([encoded for encoded, _ in outputs])
            response_type = outputs[0][1] if outputs else accept
        timings["encode"] = time.perf_counter() - started
        return Result(body, response_type, timings)

    def _predict(self, data: Any) -> Any:
        if self.hooks.predict_fn is not None:
            return self.hooks.predict_fn(data, self.model, context=self.context)
        inputs, parameters = split_payload(data)
        if self._task_model:
            try:
                return self.model.predict(inputs, parameters)
            except ToolkitError:
                raise
            except Exception as error:
                logger.exception("the %s model raised", self.task)
                raise ModelError(f"the {self.task} model raised {type(error).__name__}: {error}") from error
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
        return codecs.encode(prediction, accept), accept

    # ------------------------------------------------------------------ hook plumbing

    @staticmethod
    def _hook_input(body: bytes, content_type: media.MediaType) -> bytes | str:
        """Text bodies reach user hooks as ``str`` (as in the AWS toolkit), others as ``bytes``."""
        decoder = media.decoder_for(content_type)
        if decoder in media.TEXT_DECODERS or content_type.essence.startswith("text/"):
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
        if media.parse_media_type(content_type).essence in media.ENCODERS:
            return codecs.encode(output, content_type), content_type
        return codecs.encode(output, media.JSON), media.JSON
