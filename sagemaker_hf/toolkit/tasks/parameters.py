"""Which ``parameters`` names a task accepts, so that a typo is a 400 that names it.

For native pipelines the names come from the installed pipeline class itself (the named
arguments of ``_sanitize_parameters``), plus what its ``**kwargs`` really carry: generation
settings, tokenizer settings, or the keys listed in ``PIPELINE_KEYWORDS``.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from functools import cache
from typing import Any

from sagemaker_hf.toolkit.errors import BadInputError

# Keys that pipelines read out of their ``**kwargs`` (transformers 4.57 and 5.x).
PIPELINE_KEYWORDS: dict[str, frozenset[str]] = {
    "zero-shot-classification": frozenset({"candidate_labels", "hypothesis_template", "multi_label"}),
    "zero-shot-image-classification": frozenset({"candidate_labels", "hypothesis_template", "timeout"}),
    "image-segmentation": frozenset(
        {"subtask", "threshold", "mask_threshold", "overlap_mask_area_threshold", "timeout"}
    ),
    "object-detection": frozenset({"threshold", "timeout"}),
}

# What a tokenizer call takes, for pipelines that pass their ``**tokenizer_kwargs`` on.
TOKENIZER_KEYWORDS = frozenset({"truncation", "padding", "max_length", "add_special_tokens"})

# Generation settings that would change the type generate() returns, which pipelines rely on.
_GENERATION_DENIED = frozenset(
    {
        "return_dict_in_generate",
        "output_scores",
        "output_logits",
        "output_attentions",
        "output_hidden_states",
        "transformers_version",
    }
)

# Names a user may know from transformers 4.x that the installed version no longer takes.
RENAMED: dict[str, str] = {
    "return_all_scores": 'use "top_k": null to get the score of every label',
    "grouped_entities": 'use "aggregation_strategy": "simple"',
    "topk": 'use "top_k"',
}

# Unknown parameter names quoted in an error, at most.
MAX_NAMED_UNKNOWN = 10

# Set by the server, not per request.
_SERVER_OWNED = frozenset({"batch_size", "num_workers", "device", "model", "tokenizer", "framework"})


@cache
def generation_parameters() -> frozenset[str]:
    """Every ``GenerationConfig`` setting (max_new_tokens, num_beams, repetition_penalty, …)."""
    from transformers import GenerationConfig

    names = {name for name in GenerationConfig().to_dict() if not name.startswith("_")}
    names |= {"max_new_tokens", "max_length", "min_new_tokens", "min_length", "max_time"}
    return frozenset(names - _GENERATION_DENIED)


def pipeline_parameters(pipeline: Any, task: str) -> frozenset[str]:
    """The parameter names the installed pipeline object accepts."""
    signature = inspect.signature(type(pipeline)._sanitize_parameters)
    accepted: set[str] = set()
    for name, parameter in signature.parameters.items():
        if name == "self":
            continue
        if parameter.kind is not inspect.Parameter.VAR_KEYWORD:
            accepted.add(name)
        elif name == "generate_kwargs":
            accepted |= generation_parameters()
        elif name == "tokenizer_kwargs":
            accepted |= TOKENIZER_KEYWORDS
        else:
            accepted |= PIPELINE_KEYWORDS.get(task, frozenset())
    if "generate_kwargs" in accepted:  # a named dict argument of the speech pipeline
        accepted |= generation_parameters()
    return frozenset(accepted - _SERVER_OWNED)


def check_parameter_names(parameters: dict[str, Any], accepted: Iterable[str], task: str) -> None:
    """Raise BadInputError naming every parameter ``task`` does not take."""
    accepted = frozenset(accepted)
    unknown = sorted(name for name in parameters if name not in accepted)
    if not unknown:
        return
    hints = [f"{name}: {RENAMED[name]}" for name in unknown if name in RENAMED]
    owned = [name for name in unknown if name in _SERVER_OWNED]
    named = ", ".join(map(repr, unknown[:MAX_NAMED_UNKNOWN]))
    if len(unknown) > MAX_NAMED_UNKNOWN:  # a request may send thousands; the answer stays short
        named += f" and {len(unknown) - MAX_NAMED_UNKNOWN} more"
    message = f"{task} does not take the parameter{'s' if len(unknown) > 1 else ''} {named}"
    if hints:
        message += f" ({'; '.join(hints)})"
    if owned:
        message += (
            f". {', '.join(owned)} {'is' if len(owned) == 1 else 'are'} set by the server, not per request"
        )
    shown = sorted(accepted - generation_parameters()) if len(accepted) > 30 else sorted(accepted)
    listing = ", ".join(shown) if shown else "none"
    if len(accepted) > 30:
        listing += ", and the generation settings (max_new_tokens, num_beams, temperature, top_p, …)"
    raise BadInputError(f"{message}. Accepted parameters: {listing}. Remove it or fix its spelling.")
