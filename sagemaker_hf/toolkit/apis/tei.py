"""TEI's ``/embed``: ``{"inputs": str | [str], "normalize", "truncate", ...}`` in, a bare list of
vectors out (one per input; a single string still gets a list of one vector, as TEI answers).

The encoder is the toolkit's sentence-embeddings one (pooling from ``1_Pooling``); TEI
refuses an input longer than the model takes unless ``truncate`` is true, and so does this.
``prompt_name`` prepends a prompt from ``config_sentence_transformers.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sagemaker_hf.toolkit.apis import shapes
from sagemaker_hf.toolkit.apis.context import json_body
from sagemaker_hf.toolkit.errors import BadInputError


@dataclass
class EmbedCall:
    sentences: list[str]
    normalize: bool
    dimensions: int | None = None

    def shaped(self, vectors: list[list[float]]) -> list[list[float]]:
        """Matryoshka truncation: the first ``dimensions`` numbers, normalized again when asked."""
        if self.dimensions is None:
            return vectors
        cut = [vector[: self.dimensions] for vector in vectors]
        if not self.normalize:
            return cut
        return [[value / (sum(x * x for x in vector) ** 0.5 or 1.0) for value in vector] for vector in cut]


class Embedder:
    """Vectors for TEI requests; several requests with the same ``normalize`` share model calls."""

    def __init__(self, encoder: Any, model_dir: Path) -> None:
        self.encoder = encoder
        self.prompts = _prompts(model_dir)

    def parse(self, data: Any) -> EmbedCall:
        request = shapes.parse(shapes.EmbedRequest, data, "TEI embed")
        sentences = [request.inputs] if isinstance(request.inputs, str) else list(request.inputs)
        if not sentences:
            raise BadInputError("TEI embed: `inputs` cannot be empty")
        if request.truncation_direction.lower() == "left":
            shapes.refuse_unsupported("TEI embed", {"truncation_direction": "only Right truncation"})
        if request.prompt_name is not None:
            if request.prompt_name not in self.prompts:
                raise BadInputError(
                    f"TEI embed: prompt_name {request.prompt_name!r} is not one of the model's prompts "
                    f"({', '.join(sorted(self.prompts)) or 'it has none'})"
                )
            sentences = [self.prompts[request.prompt_name] + sentence for sentence in sentences]
        limit = self.encoder.max_length
        if not request.truncate and limit:
            for sentence in sentences:
                length = len(self.encoder.tokenizer(sentence)["input_ids"])
                if length > limit:
                    raise BadInputError(
                        f"Input validation error: `inputs` must have less than {limit} tokens. "
                        f'Given: {length}. Send shorter inputs, or "truncate": true'
                    )
        if request.dimensions is not None and request.dimensions < 1:
            raise BadInputError("TEI embed: `dimensions` must be at least 1")
        return EmbedCall(sentences, request.normalize, request.dimensions)

    def embed(self, calls: list[EmbedCall]) -> list[bytes]:
        """Each call's answer, with one model pass per ``normalize`` value."""
        answers: list[bytes] = [b""] * len(calls)
        for normalize in (True, False):
            members = [index for index, call in enumerate(calls) if call.normalize is normalize]
            if not members:
                continue
            sentences = [sentence for index in members for sentence in calls[index].sentences]
            vectors = self._vectors(sentences, normalize)
            offset = 0
            for index in members:
                count = len(calls[index].sentences)
                answers[index] = json_body(calls[index].shaped(vectors[offset : offset + count]))
                offset += count
        return answers

    def _vectors(self, sentences: list[str], normalize: bool) -> list[list[float]]:
        import torch

        from sagemaker_hf.toolkit.tasks.sentence import pool

        if normalize:
            return self.encoder.encode(sentences).tolist()
        encoder = self.encoder
        with torch.inference_mode():
            encoded = encoder.tokenizer(
                sentences, padding=True, truncation=True, max_length=encoder.max_length, return_tensors="pt"
            ).to(encoder.device)
            states = encoder.model(**encoded).last_hidden_state
            return pool(states, encoded["attention_mask"], encoder.pooling).float().cpu().tolist()


def _prompts(model_dir: Path) -> dict[str, str]:
    path = model_dir / "config_sentence_transformers.json"
    if not path.is_file():
        return {}
    prompts = json.loads(path.read_text(encoding="utf-8")).get("prompts") or {}
    return {str(name): str(text) for name, text in prompts.items()}


def answer_all(embedder: Embedder, bodies: list[Any]) -> list[bytes | BadInputError]:
    """Answers for decoded TEI bodies, in order; a bad one gets its error only."""
    calls: list[EmbedCall | BadInputError] = []
    for data in bodies:
        try:
            calls.append(embedder.parse(data))
        except BadInputError as error:
            calls.append(error)
    good = [call for call in calls if isinstance(call, EmbedCall)]
    answers = iter(embedder.embed(good)) if good else iter(())
    return [call if isinstance(call, BadInputError) else next(answers) for call in calls]
