"""OpenAI chat completions, as TGI's Messages API, vLLM and SGLang serve them.

The messages go through the tokenizer's chat template (a plain "role: content" template
when the tokenizer has none). Sampling follows the OpenAI rules: ``temperature`` 0 is
greedy, anything else (default 1) samples. Stop sequences are cut from the answer, as
OpenAI servers do. Streaming sends ``chat.completion.chunk`` events (each ``delta`` holds
new text), a last chunk with ``finish_reason``, a usage chunk when
``stream_options.include_usage`` asks, then ``data: [DONE]``.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from sagemaker_hf.toolkit import sse
from sagemaker_hf.toolkit.apis import shapes
from sagemaker_hf.toolkit.apis.context import LlmContext, json_body
from sagemaker_hf.toolkit.apis.generation import Job, Sampling
from sagemaker_hf.toolkit.errors import BadInputError
from sagemaker_hf.toolkit.tasks.conversational import FALLBACK_CHAT_TEMPLATE

DONE_EVENT = b"data: [DONE]\n\n"
# OpenAI finish reasons for the generation's own.
FINISH_REASONS = {"length": "length", "eos_token": "stop", "stop_sequence": "stop", "cancelled": "stop"}


def _unsupported(request: shapes.ChatRequest) -> dict[str, str]:
    unsupported = {}
    if request.n not in (None, 1):
        unsupported["n"] = "one choice is generated per request"
    if request.logprobs or request.top_logprobs:
        unsupported["logprobs"] = "no log-probabilities are computed"
    if request.logit_bias:
        unsupported["logit_bias"] = "no logit bias"
    if request.response_format is not None:
        unsupported["response_format"] = "no guided generation"
    if request.tools:
        unsupported["tools"] = "no tool calling"
    if request.tool_choice not in (None, "none", "auto"):
        unsupported["tool_choice"] = "no tool calling"
    if request.frequency_penalty or request.presence_penalty:
        unsupported["frequency_penalty/presence_penalty"] = "use repetition_penalty"
    return unsupported


def message_dicts(messages: list[shapes.ChatMessage]) -> list[dict[str, Any]]:
    """The messages for the chat template; content parts are joined when all are text."""
    prepared = []
    for number, message in enumerate(messages, start=1):
        content = message.content
        if isinstance(content, list):
            kinds = {part.get("type") for part in content}
            if kinds - {"text"}:
                other = sorted(map(str, kinds - {"text"}))
                raise BadInputError(
                    f"chat completions: message {number} has content parts of type {other}; "
                    "this server reads text parts only"
                )
            content = "".join(str(part.get("text", "")) for part in content)
        prepared.append({**message.model_dump(exclude_none=True), "content": content or ""})
    return prepared


def chat_prompt(tokenizer: Any, messages: list[dict[str, Any]]) -> str:
    template = None if tokenizer.chat_template else FALLBACK_CHAT_TEMPLATE
    try:
        return tokenizer.apply_chat_template(
            messages, chat_template=template, add_generation_prompt=True, tokenize=False
        )
    except Exception as error:  # the template's own refusals (raise_exception), bad roles
        raise BadInputError(
            f"chat completions: the model's chat template refused the messages: {error}"
        ) from None


class ChatCall:
    """One chat completion request: its job, then its answer or its chunks."""

    def __init__(self, context: LlmContext, data: Any) -> None:
        request = shapes.parse(shapes.ChatRequest, data, "chat completions")
        if not request.messages:
            raise BadInputError("chat completions: 'messages' is empty; send at least one message")
        if request.temperature is not None and request.temperature < 0:
            raise BadInputError("chat completions: `temperature` must be >= 0")
        if request.top_p is not None and not 0 < request.top_p <= 1:
            raise BadInputError("chat completions: `top_p` must be > 0.0 and <= 1.0")
        shapes.refuse_unsupported("chat completions", _unsupported(request))
        self.context = context
        self.request = request
        self.stream = request.stream
        prompt = chat_prompt(context.tokenizer, message_dicts(request.messages))
        prompt_ids = context.encode(prompt, special_tokens=False)
        requested = request.max_completion_tokens or request.max_tokens
        name = "max_completion_tokens" if request.max_completion_tokens else "max_tokens"
        stops = [request.stop] if isinstance(request.stop, str) else list(request.stop or [])
        temperature = 1.0 if request.temperature is None else request.temperature
        self.job = Job(
            prompt_ids=prompt_ids,
            max_new_tokens=context.limits.new_tokens(len(prompt_ids), requested, name),
            sampling=Sampling(
                do_sample=temperature > 0,
                temperature=temperature,
                top_p=request.top_p,
                top_k=request.top_k,
                repetition_penalty=request.repetition_penalty,
                seed=request.seed,
            ),
            stop=tuple(stops),
            keep_stop=False,
        )
        self.id = f"chatcmpl-{uuid.uuid4().hex}"
        self.created = int(time.time())

    def _envelope(self, kind: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": kind,
            "created": self.created,
            "model": self.request.model or self.context.model_name,
            "system_fingerprint": f"sagemaker-hf-{self.context.api}",
        }

    def _usage(self) -> dict[str, int]:
        prompt, completion = len(self.job.prompt_ids), len(self.job.token_ids)
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}

    def _finish_reason(self) -> str:
        return FINISH_REASONS.get(self.job.finish_reason or "length", "stop")

    def answer(self) -> bytes:
        choice = {
            "index": 0,
            "message": {"role": "assistant", "content": self.job.text},
            "logprobs": None,
            "finish_reason": self._finish_reason(),
        }
        return json_body({**self._envelope("chat.completion"), "choices": [choice], "usage": self._usage()})

    def _chunk(self, content: str, finish_reason: str | None) -> bytes:
        choice = {
            "index": 0,
            "delta": {"role": "assistant", "content": content},
            "logprobs": None,
            "finish_reason": finish_reason,
        }
        return sse.event({**self._envelope("chat.completion.chunk"), "choices": [choice]})

    def event(self, piece: str, token_id: int) -> bytes:
        return self._chunk(piece, None)

    def final(self) -> bytes:
        events = self._chunk("", self._finish_reason())
        if self.request.stream_options is not None and self.request.stream_options.include_usage:
            events += sse.event(
                {**self._envelope("chat.completion.chunk"), "choices": [], "usage": self._usage()}
            )
        return events + DONE_EVENT
