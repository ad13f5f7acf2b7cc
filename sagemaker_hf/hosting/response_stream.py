"""Reading ``InvokeEndpointWithResponseStream`` answers.

The response ``Body`` is an event stream: ``{"PayloadPart": {"Bytes": b"..."}}`` events
(boto3's ``EventStream`` on AWS, an iterable of the same dicts in local mode). SageMaker
cuts the model's bytes into parts anywhere, so one server-sent event may span several
parts and one part may hold several events; the iterators here reassemble them.

- :class:`TokenIterator` (what ``predict_stream`` returns by default): the text of each
  generated token, from either event format an LLM image streams:

  - TGI's generate stream, ``data: {"token": {"text": ...}, ...}`` (the sagemaker-hf toolkit
    and TGI's text generation);
  - OpenAI's chat completion chunks, ``data: {"object": "chat.completion.chunk", "choices":
    [{"delta": {"content": ...}}]}`` ending with ``data: [DONE]`` (TGI's Messages API, vLLM,
    SGLang); completion chunks (``choices[0].text``) too.

  An error event (``{"error": "...", "error_type": ...}`` from TGI and the toolkit, or
  ``{"error": {"message": ..., "type": ...}}`` from the OpenAI servers) raises
  :class:`~sagemaker_hf.errors.ModelStreamError`.
- :class:`EventIterator`: each server-sent event's data, JSON-decoded when it is JSON.
- :class:`LineIterator` and :class:`ByteIterator`: lines, or the raw bytes of each part (the
  SageMaker SDK v2 iterators' behaviour, for models that stream other formats).

Every iterator takes the ``Body`` and is itself iterable; ``close()`` ends the stream early.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from sagemaker_hf.errors import ModelStreamError

# Event types of the event stream that carry an error instead of bytes.
_ERROR_EVENTS = ("ModelStreamError", "InternalStreamFailure")


class ByteIterator:
    """The bytes of each ``PayloadPart``, as they arrive."""

    def __init__(self, event_stream: Iterable[dict[str, Any]]) -> None:
        self.event_stream = event_stream

    def __iter__(self) -> Iterator[bytes]:
        for event in self.event_stream:
            if "PayloadPart" in event:
                yield event["PayloadPart"]["Bytes"]
                continue
            for kind in _ERROR_EVENTS:
                if kind in event:
                    detail = event[kind]
                    raise ModelStreamError(detail.get("Message", str(detail)), detail.get("ErrorCode", kind))

    def close(self) -> None:
        close = getattr(self.event_stream, "close", None)
        if close is not None:
            close()


class LineIterator(ByteIterator):
    """Complete lines (without their line break), however the parts cut them."""

    def __iter__(self) -> Iterator[bytes]:  # type: ignore[override]
        pending = b""
        for part in super().__iter__():
            pending += part
            *lines, pending = pending.split(b"\n")
            for line in lines:
                yield line.removesuffix(b"\r")
        if pending:
            yield pending


class EventIterator(LineIterator):
    """The data of each server-sent event (its ``data:`` lines joined), JSON-decoded when it is JSON."""

    def __iter__(self) -> Iterator[Any]:  # type: ignore[override]
        data: list[str] = []
        for raw in super().__iter__():
            line = raw.decode("utf-8", errors="replace")
            if line:
                field, _, value = line.partition(":")
                if field == "data":
                    data.append(value.removeprefix(" "))
                continue
            if data:  # a blank line ends the event
                yield _decoded("\n".join(data))
                data = []
        if data:
            yield _decoded("\n".join(data))


def _decoded(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


class TokenIterator(EventIterator):
    """The text of each generated token, from TGI token events or OpenAI (chat) completion
    chunks. Skipped: TGI's last event (its ``generated_text`` summary), special tokens, and
    chunks that carry no text (the first chunk's role, the last one's ``finish_reason`` or
    ``usage``). ``data: [DONE]`` ends the iteration; an error event raises
    :class:`ModelStreamError`. Events of other shapes are yielded as they are (a string, or
    the decoded JSON)."""

    def __iter__(self) -> Iterator[Any]:  # type: ignore[override]
        for data in super().__iter__():
            if data == DONE:
                return
            if not isinstance(data, dict):
                yield data
            elif "error" in data:
                raise _stream_error(data)
            elif isinstance(data.get("token"), dict):
                token = data["token"]
                if token.get("text") and not token.get("special"):
                    yield token["text"]
            elif "choices" in data:
                text = _chunk_text(data["choices"])
                if text:
                    yield text
            else:
                yield data


# The data of the OpenAI servers' last event.
DONE = "[DONE]"


def _chunk_text(choices: Any) -> str | None:
    """The text of a (chat) completion chunk's first choice: ``delta.content``, or ``text``."""
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None  # the usage-only chunk some servers send last has no choices
    choice = choices[0]
    delta = choice.get("delta")
    text = delta.get("content") if isinstance(delta, dict) else choice.get("text")
    return text if isinstance(text, str) else None


def _stream_error(data: dict[str, Any]) -> ModelStreamError:
    """TGI and the toolkit send ``{"error": "text", "error_type": ...}``; the OpenAI servers
    ``{"error": {"message": ..., "type": ..., "code": ...}}``."""
    error = data["error"]
    if isinstance(error, dict):
        message = error.get("message", json.dumps(error))
        kind = error.get("type") or error.get("code") or "error"
        return ModelStreamError(str(message), str(kind))
    return ModelStreamError(str(error), str(data.get("error_type", "error")))
