"""The request bodies of the image families, as pydantic models that refuse unknown fields.

Field lists, from the containers' own documentation:
- TGI ``/generate`` (``GenerateRequest``, ``GenerateParameters``) and ``/invocations``
  (``CompatGenerateRequest``, which adds ``stream``): TGI's ``docs/openapi.json``.
- Chat completions: TGI's ``ChatRequest`` (same file) with the OpenAI fields vLLM and SGLang
  also read (``max_completion_tokens``, ``user``) and their sampling extras (``top_k``,
  ``repetition_penalty``): vLLM's "OpenAI-Compatible Server" page.
- TEI ``/embed`` (``EmbedRequest``): TEI's OpenAPI page (inputs, normalize, truncate,
  truncation_direction, prompt_name).

A field the container knows but this server cannot honour (beam search, grammars,
log-probabilities, tools, several choices) is accepted at its "off" value and otherwise
refused with a 400 that names it, never silently ignored.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from sagemaker_hf.toolkit.errors import BadInputError


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GenerateParameters(Strict):
    adapter_id: str | None = None
    best_of: int | None = None
    decoder_input_details: bool = False
    details: bool = False  # TGI's schema says true, its server defaults to false
    do_sample: bool = False
    frequency_penalty: float | None = None
    grammar: Any = None
    max_new_tokens: int | None = None
    repetition_penalty: float | None = None
    return_full_text: bool | None = None
    seed: int | None = None
    stop: list[str] = []
    temperature: float | None = None
    top_k: int | None = None
    top_n_tokens: int | None = None
    top_p: float | None = None
    truncate: int | None = None
    typical_p: float | None = None
    watermark: bool = False


class GenerateRequest(Strict):
    inputs: str
    parameters: GenerateParameters = GenerateParameters()
    stream: bool = False


class StreamOptions(Strict):
    include_usage: bool = False


class ChatMessage(BaseModel):
    # Messages carry more than role and content (name, tool_call_id, ...); templates read them.
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(Strict):
    messages: list[ChatMessage]
    model: str | None = None
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    repetition_penalty: float | None = None
    stop: str | list[str] | None = None
    seed: int | None = None
    stream: bool = False
    stream_options: StreamOptions | None = None
    n: int | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    logit_bias: Any = None
    response_format: Any = None
    tools: Any = None
    tool_choice: Any = None
    tool_prompt: str | None = None
    user: str | None = None


class EmbedRequest(Strict):
    dimensions: int | None = None
    inputs: str | list[str]
    normalize: bool = True
    truncate: bool | None = False
    truncation_direction: Literal["Left", "Right", "left", "right"] = "Right"
    prompt_name: str | None = None


def parse(model: type[Strict], data: Any, what: str) -> Any:
    """``data`` as ``model``, or a BadInputError naming every unknown field and bad value."""
    if not isinstance(data, dict):
        raise BadInputError(f"{what} takes a JSON object, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise BadInputError(f"{what}: {describe(error)}") from None


def describe(error: ValidationError) -> str:
    unknown, problems = [], []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"])
        if item["type"] == "extra_forbidden":
            unknown.append(repr(where))
        else:
            problems.append(f"{where}: {item['msg']}")
    parts = []
    if unknown:
        parts.append(
            f"unknown field{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} (remove or fix the name)"
        )
    parts.extend(problems[:5])
    return "; ".join(parts)


def refuse_unsupported(what: str, settings: dict[str, Any]) -> None:
    """A 400 naming the fields set to a value this server cannot honour (name -> why)."""
    if settings:
        named = "; ".join(f"{name}: {why}" for name, why in settings.items())
        raise BadInputError(f"{what} cannot honour {named}. Leave them out (this server runs on CPU)")
