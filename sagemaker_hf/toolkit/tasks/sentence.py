"""``sentence-embeddings`` and ``sentence-similarity`` for sentence-transformers checkpoints,
with transformers only (no sentence-transformers package).

Embeddings pool the token states as ``1_Pooling/config.json`` says (mean over the attention
mask when there is no such file), then L2-normalise; inputs are truncated to
``sentence_bert_config.json`` ``max_seq_length`` (else the tokenizer's limit). Shapes follow
the Hugging Face inference toolkit:

    sentence-embeddings  "text" -> {"embeddings": [floats]};  ["a", "b"] -> {"embeddings": [[...], [...]]}
    sentence-similarity  {"source_sentence": "...", "sentences": [...]} -> {"similarities": [cosine, ...]}
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from sagemaker_hf.toolkit import lanes
from sagemaker_hf.toolkit.errors import BadInputError
from sagemaker_hf.toolkit.tasks import inputs as task_inputs
from sagemaker_hf.toolkit.tasks import packing
from sagemaker_hf.toolkit.tasks.base import length_chunks, preview, require_parameters_dict
from sagemaker_hf.toolkit.tasks.inputs import Prepared
from sagemaker_hf.toolkit.tasks.parameters import check_parameter_names

logger = logging.getLogger(__name__)

# 1_Pooling/config.json flag -> pooling mode; the first flag set wins.
POOLING_FLAGS = (
    ("pooling_mode_mean_tokens", "mean"),
    ("pooling_mode_cls_token", "cls"),
    ("pooling_mode_max_tokens", "max"),
    ("pooling_mode_lasttoken", "last"),
    ("pooling_mode_mean_sqrt_len_tokens", "mean"),
)

_SIMILARITY_HELP = (
    'Send e.g. {"inputs": {"source_sentence": "A man is eating food.", '
    '"sentences": ["A man is eating a piece of bread.", "The stock market fell today."]}}.'
)


class SentenceEncoder:
    """Token states → one unit-length vector per sentence."""

    def __init__(self, model: Any, tokenizer: Any, device: str, pooling: str, max_length: int | None) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.device = device
        self.pooling = pooling
        self.max_length = max_length
        self._mask_form: str | None = None
        self._probed = False

    @property
    def mask_form(self) -> str | None:
        """The packed inputs' mask format when this model packs correctly, else None. The probe
        runs at the first batch, not at load: a server with batching off never needs it, and
        the first answer (cold start) comes ~0.1-0.2 s sooner."""
        if not self._probed:
            self.enable_packing()
        return self._mask_form

    def enable_packing(self) -> None:
        """Pack short sentences into shared rows from now on, if this model gives the same
        vectors that way (see :mod:`packing`)."""
        import torch

        with torch.inference_mode(), lanes.pinned():  # one probe, before any lane packs
            self._mask_form, reason = packing.verify(
                lambda sentence: self._vectors([sentence])[0], self._packed_vectors
            )
        self._probed = True
        logger.info("sentence packing %s: %s", "on" if self._mask_form else "off", reason)

    def encode(self, sentences: list[str]) -> Any:
        """One vector per sentence, in order; each is what the sentence gets alone.

        Several sentences (a batch of requests) run packed into shared rows when the model
        allows it and that saves padding; else sorted by length, in chunks whose longest
        sentence is at most twice the shortest, so that padding never costs more than the
        real tokens (a batch of mixed lengths runs ~20% faster on CPU than one padded call)."""
        import torch

        with torch.inference_mode():
            if len(sentences) == 1:
                return self._vectors(sentences)
            encoded = self.tokenizer(sentences, truncation=True, max_length=self.max_length)
            lengths = [len(ids) for ids in encoded["input_ids"]]
            if self.mask_form is not None:
                calls = packing.plan_calls(lengths)
                if packing.worth_packing(lengths, calls):
                    return self._packed_vectors(sentences, self.mask_form, encoded, calls)
            vectors: list[Any] = [None] * len(sentences)
            for chunk in length_chunks(lengths):
                for index, vector in zip(chunk, self._vectors([sentences[i] for i in chunk]), strict=True):
                    vectors[index] = vector
            return torch.stack(vectors)

    def _vectors(self, sentences: list[str]) -> Any:
        encoded = self.tokenizer(
            sentences, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
        ).to(self.device)
        with lanes.model_call():
            states = self.model(**encoded).last_hidden_state
        return self._normalized(states, encoded["attention_mask"])

    def _packed_vectors(
        self, sentences: list[str], mask_form: str, encoded: Any = None, calls: Any = None
    ) -> Any:
        """Vectors of sentences packed into rows, one model call per :func:`packing.plan_calls` group."""
        import torch

        if encoded is None:
            encoded = self.tokenizer(sentences, truncation=True, max_length=self.max_length)
        if calls is None:
            calls = packing.plan_calls([len(ids) for ids in encoded["input_ids"]])
        vectors: list[Any] = [None] * len(sentences)
        for group in calls:
            members = [index for row in group for index in row]
            local = {index: position for position, index in enumerate(members)}
            subset = {name: [values[index] for index in members] for name, values in encoded.items()}
            local_rows = [[local[index] for index in row] for row in group]
            inputs, spans = packing.pack(subset, local_rows, mask_form, self.model.dtype)
            with lanes.model_call():
                states = self.model(**{name: tensor.to(self.device) for name, tensor in inputs.items()})
            token_states, mask = packing.unpack(states.last_hidden_state, spans)
            for index, vector in zip(members, self._normalized(token_states, mask), strict=True):
                vectors[index] = vector
        return torch.stack(vectors)

    def _normalized(self, states: Any, mask: Any) -> Any:
        import torch

        pooled = pool(states, mask, self.pooling)
        return torch.nn.functional.normalize(pooled.float(), p=2, dim=1).cpu()


def pool(states: Any, mask: Any, mode: str) -> Any:
    import torch

    weights = mask.unsqueeze(-1).to(states.dtype)
    if mode == "cls":
        return states[:, 0]
    if mode == "max":
        return states.masked_fill(weights == 0, torch.finfo(states.dtype).min).max(dim=1).values
    if mode == "last":  # the last real token of each row, whichever side was padded
        last = mask.shape[1] - 1 - mask.flip(dims=[1]).argmax(dim=1)
        return states[torch.arange(states.shape[0]), last]
    return (states * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)


class SentenceEmbeddingsTask:
    task = "sentence-embeddings"
    batchable = True
    accepts_csv = True
    runs_in_lanes = True  # SentenceEncoder marks its forward calls (lanes.py)

    def __init__(self, encoder: SentenceEncoder) -> None:
        self.encoder = encoder

    def predict(self, inputs: Any, parameters: dict[str, Any]) -> Any:
        check_parameter_names(require_parameters_dict(parameters), (), self.task)
        prepared = task_inputs.texts(inputs, self.task, example='"inputs": ["A man is eating food."]')
        return self._shape(prepared, self.encoder.encode(prepared.items).tolist())

    def predict_batch(self, inputs: list[Any], parameters: dict[str, Any]) -> list[Any]:
        try:
            check_parameter_names(require_parameters_dict(parameters), (), self.task)
        except BadInputError as error:
            return [error] * len(inputs)
        prepared: list[Prepared | BadInputError] = []
        for item in inputs:
            try:
                prepared.append(task_inputs.texts(item, self.task))
            except BadInputError as error:
                prepared.append(error)
        sentences = [text for entry in prepared if isinstance(entry, Prepared) for text in entry.items]
        vectors = self.encoder.encode(sentences).tolist() if sentences else []
        results = []
        for entry in prepared:
            if isinstance(entry, BadInputError):
                results.append(entry)
                continue
            mine, vectors = vectors[: len(entry.items)], vectors[len(entry.items) :]
            results.append(self._shape(entry, mine))
        return results

    @staticmethod
    def _shape(prepared: Prepared, vectors: list[list[float]]) -> dict[str, Any]:
        return {"embeddings": vectors if prepared.many else vectors[0]}


class SentenceSimilarityTask:
    task = "sentence-similarity"
    batchable = True
    accepts_csv = False
    runs_in_lanes = True

    def __init__(self, encoder: SentenceEncoder) -> None:
        self.encoder = encoder

    def predict(self, inputs: Any, parameters: dict[str, Any]) -> Any:
        result = self.predict_batch([inputs], parameters)[0]
        if isinstance(result, BadInputError):
            raise result
        return result

    def predict_batch(self, inputs: list[Any], parameters: dict[str, Any]) -> list[Any]:
        try:
            check_parameter_names(require_parameters_dict(parameters), (), self.task)
        except BadInputError as error:
            return [error] * len(inputs)
        groups: list[list[str] | BadInputError] = []
        for item in inputs:
            try:
                groups.append(similarity_sentences(item))
            except BadInputError as error:
                groups.append(error)
        sentences = [text for group in groups if isinstance(group, list) for text in group]
        vectors = self.encoder.encode(sentences) if sentences else None
        results: list[Any] = []
        offset = 0
        for group in groups:
            if isinstance(group, BadInputError):
                results.append(group)
                continue
            source, others = vectors[offset], vectors[offset + 1 : offset + len(group)]
            offset += len(group)
            results.append({"similarities": (others @ source).tolist()})
        return results


def similarity_sentences(inputs: Any) -> list[str]:
    """``[source_sentence, *sentences]`` from ``{"source_sentence": str, "sentences": [str, ...]}``."""
    if not isinstance(inputs, dict):
        raise BadInputError(
            f"sentence-similarity expects an object, got {preview(inputs)}. {_SIMILARITY_HELP}"
        )
    source, sentences = inputs.get("source_sentence"), inputs.get("sentences")
    if isinstance(sentences, str):
        sentences = [sentences]
    if not isinstance(source, str) or not isinstance(sentences, list) or not sentences:
        raise BadInputError(
            "sentence-similarity needs 'source_sentence' (a string) and 'sentences' (a non-empty list of "
            f"strings), got {preview(inputs)}. {_SIMILARITY_HELP}"
        )
    if not all(isinstance(sentence, str) for sentence in sentences):
        raise BadInputError(
            f"sentence-similarity: every entry of 'sentences' must be a string. {_SIMILARITY_HELP}"
        )
    return [source, *sentences]


def pooling_mode(model_dir: Path) -> str:
    config_path = model_dir / "1_Pooling" / "config.json"
    if not config_path.is_file():
        return "mean"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    return next((mode for flag, mode in POOLING_FLAGS if config.get(flag)), "mean")


def max_sequence_length(model_dir: Path, tokenizer: Any) -> int | None:
    config_path = model_dir / "sentence_bert_config.json"
    if config_path.is_file():
        length = json.loads(config_path.read_text(encoding="utf-8")).get("max_seq_length")
        if isinstance(length, int) and length > 0:
            return length
    limit = tokenizer.model_max_length
    return limit if isinstance(limit, int) and limit < 1_000_000 else None


def load(task: str, model_dir: Path, *, device: str, trust_remote_code: bool) -> Any:
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir, trust_remote_code=trust_remote_code)
    model = AutoModel.from_pretrained(model_dir, trust_remote_code=trust_remote_code).to(device).eval()
    encoder = SentenceEncoder(
        model, tokenizer, device, pooling_mode(model_dir), max_sequence_length(model_dir, tokenizer)
    )
    return (
        SentenceSimilarityTask(encoder) if task == "sentence-similarity" else SentenceEmbeddingsTask(encoder)
    )
