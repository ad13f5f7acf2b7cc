"""Streamed answers of the LLM images, byte for byte as their servers frame them.

Written down from the containers' own documentation and source (the framing, the field
names and their order; the texts are ours): TGI's generate stream (``/generate_stream``, and
``/invocations`` with ``"stream": true``), TGI's Messages API, and vLLM's OpenAI server
(SGLang sends the same chunks). ``TEXTS`` is what a token iterator should yield from each.
"""

from __future__ import annotations

import json
import struct
import zlib
from typing import Any


def event_message(payload: bytes) -> bytes:
    """One ``application/vnd.amazon.eventstream`` message carrying a PayloadPart (prelude,
    headers, payload, CRCs), as SageMaker frames a streamed answer's bytes."""
    headers = {
        ":message-type": "event",
        ":event-type": "PayloadPart",
        ":content-type": "application/octet-stream",
    }
    encoded = b"".join(
        bytes([len(name)]) + name.encode() + b"\x07" + struct.pack("!H", len(value)) + value.encode()
        for name, value in headers.items()
    )
    prelude = struct.pack("!II", 12 + len(encoded) + len(payload) + 4, len(encoded))
    message = prelude + struct.pack("!I", zlib.crc32(prelude)) + encoded + payload
    return message + struct.pack("!I", zlib.crc32(message))


def event(payload: Any, field: bytes = b"data: ") -> bytes:
    """One server-sent event; TGI's server (axum) writes ``data:`` with no space, vLLM ``data: ``."""
    text = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
    return field + text.encode("utf-8") + b"\n\n"


def tgi_event(payload: Any) -> bytes:
    return event(payload, b"data:")


TEXTS = ["Paris", " is", " the", " capital", " \u00e9t\u00e9"]

# TGI 3.x generate stream: one event per token, the last one also carries generated_text.
TGI_GENERATE = b"".join(
    [
        *(
            tgi_event(
                {
                    "index": index,
                    "token": {"id": 100 + index, "text": text, "logprob": -0.5, "special": False},
                    "generated_text": None,
                    "details": None,
                }
            )
            for index, text in enumerate(TEXTS[:-1], start=1)
        ),
        tgi_event(
            {
                "index": 5,
                "token": {"id": 105, "text": TEXTS[-1], "logprob": -0.5, "special": False},
                "generated_text": "".join(TEXTS),
                "details": {"finish_reason": "length", "generated_tokens": 5, "seed": None},
            }
        ),
    ]
)


def _chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
    return {
        "object": "chat.completion.chunk",
        "id": "",
        "created": 1765000000,
        "model": "tgi",
        "system_fingerprint": "3.3.6-sha-0000000",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
        "usage": None,
    }


# TGI's Messages API: every delta carries the role and a piece of content; the last chunk
# has the finish reason; then [DONE].
TGI_MESSAGES = b"".join(
    [
        *(tgi_event(_chunk({"role": "assistant", "content": text, "tool_call_id": None})) for text in TEXTS),
        tgi_event(_chunk({"role": "assistant", "content": "", "tool_call_id": None}, "length")),
        tgi_event("[DONE]"),
    ]
)


def _vllm_chunk(choices: list[dict[str, Any]], usage: Any = None) -> dict[str, Any]:
    chunk = {
        "id": "chatcmpl-0d6c",
        "object": "chat.completion.chunk",
        "created": 1765000000,
        "model": "tiny",
        "choices": choices,
    }
    if usage is not None:
        chunk["usage"] = usage
    return chunk


# vLLM (and SGLang): a role-only first delta, content deltas, an empty delta with the
# finish reason, a usage chunk with no choices (stream_options.include_usage), then [DONE].
VLLM_CHAT = b"".join(
    [
        event(
            _vllm_chunk([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
        ),
        *(
            event(
                _vllm_chunk(
                    [{"index": 0, "delta": {"content": text}, "logprobs": None, "finish_reason": None}]
                )
            )
            for text in TEXTS
        ),
        event(_vllm_chunk([{"index": 0, "delta": {}, "logprobs": None, "finish_reason": "length"}])),
        event(_vllm_chunk([], usage={"prompt_tokens": 7, "completion_tokens": 5, "total_tokens": 12})),
        event("[DONE]"),
    ]
)

# vLLM's error in the middle of a stream (after the status line went out).
VLLM_ERROR = event(
    {
        "error": {
            "object": "error",
            "message": "KV cache exhausted",
            "type": "BadRequestError",
            "param": None,
            "code": 400,
        }
    }
)
