"""What every LLM request needs from the loaded model: its tokenizer, name and token limits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sagemaker_hf.toolkit.errors import BadInputError, ModelLoadError

# Without MAX_TOTAL_TOKENS and without a position limit in config.json (TGI's fallback too).
DEFAULT_TOTAL_TOKENS = 4096


@dataclass(frozen=True)
class TokenLimits:
    """TGI's MAX_INPUT_TOKENS and MAX_TOTAL_TOKENS, checked with TGI's wording."""

    max_input_tokens: int
    max_total_tokens: int

    @classmethod
    def for_model(cls, model_config: Any, max_input: int | None, max_total: int | None) -> TokenLimits:
        positions = getattr(model_config, "max_position_embeddings", None) or getattr(
            model_config, "n_positions", None
        )
        total = max_total or (positions if isinstance(positions, int) else DEFAULT_TOTAL_TOKENS)
        inputs = max_input or total - 1
        if inputs >= total:
            raise ModelLoadError(
                f"MAX_INPUT_TOKENS={inputs} must be less than MAX_TOTAL_TOKENS={total} (room for at least "
                "one new token); lower MAX_INPUT_TOKENS or raise MAX_TOTAL_TOKENS"
            )
        return cls(inputs, total)

    def new_tokens(self, input_length: int, requested: int | None, name: str) -> int:
        """How many tokens to generate at most; a BadInputError (TGI's words) past the limits."""
        if input_length == 0:
            raise BadInputError("Input validation error: `inputs` cannot be empty")
        if input_length > self.max_input_tokens:
            raise BadInputError(
                f"Input validation error: `inputs` must have less than {self.max_input_tokens} tokens. "
                f"Given: {input_length}. Send a shorter prompt, or raise MAX_INPUT_TOKENS"
            )
        if requested is None:
            return self.max_total_tokens - input_length
        if requested <= 0:
            raise BadInputError(f"Input validation error: `{name}` must be strictly positive")
        if input_length + requested > self.max_total_tokens:
            raise BadInputError(
                f"Input validation error: `inputs` tokens + `{name}` must be <= {self.max_total_tokens}. "
                f"Given: {input_length} `inputs` tokens and {requested} `{name}`. Ask for fewer tokens, "
                "or raise MAX_TOTAL_TOKENS"
            )
        return requested


@dataclass(frozen=True)
class LlmContext:
    api: str  # tgi, vllm or sglang
    model_name: str  # as the answers' "model" field names it
    tokenizer: Any
    limits: TokenLimits

    def encode(self, text: str, special_tokens: bool) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=special_tokens)["input_ids"])


def json_body(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, allow_nan=False).encode("utf-8")
