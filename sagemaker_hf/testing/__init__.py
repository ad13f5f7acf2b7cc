"""Tiny random models for offline tests, examples and benchmarks.

``build_tiny_model(task, directory)`` writes a model directory that ``sagemaker-hf serve``
(or ``transformers.pipeline``) can load, with no network: tokenizers are built from a fixed
corpus, weights are random (fixed seed, hidden size 32, 2 layers), and checkpoints load on
transformers 4.x and 5.x. The whole set is about 3 MB and builds in a few seconds.

transformers is imported lazily, inside the builders.
"""

from __future__ import annotations

import importlib
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

# task -> (module, builder function, extra arguments); every task of the toolkit has a model.
_BUILDERS: dict[str, tuple[str, str, tuple]] = {
    "text-classification": ("text_models", "build_bert", ("BertForSequenceClassification", "SENTIMENT")),
    "token-classification": ("text_models", "build_bert", ("BertForTokenClassification", "BIO")),
    "fill-mask": ("text_models", "build_bert", ("BertForMaskedLM", None)),
    "feature-extraction": ("text_models", "build_bert", ("BertModel", None)),
    "question-answering": ("text_models", "build_bert", ("BertForQuestionAnswering", None)),
    "zero-shot-classification": ("text_models", "build_bert", ("BertForSequenceClassification", "NLI")),
    "sentence-transformers": ("text_models", "build_sentence_transformer", ()),
    "text-generation": ("text_models", "build_gpt2", ()),
    "conversational": ("text_models", "build_chat_gpt2", ()),
    "text2text-generation": ("text_models", "build_t5", ()),
    "table-question-answering": ("text_models", "build_tapas", ()),
    "image-classification": ("media_models", "build_vit_classifier", ()),
    "image-segmentation": ("media_models", "build_segformer", ()),
    "object-detection": ("media_models", "build_yolos", ()),
    "zero-shot-image-classification": ("media_models", "build_clip", ()),
    "automatic-speech-recognition": ("media_models", "build_wav2vec2_ctc", ()),
    "audio-classification": ("media_models", "build_wav2vec2_classifier", ()),
}

# Tasks served by another task's model.
_SAME_MODEL = {
    "sentiment-analysis": "text-classification",
    "summarization": "text2text-generation",
    "translation": "text2text-generation",
    "sentence-embeddings": "sentence-transformers",
    "sentence-similarity": "sentence-transformers",
}

TINY_MODEL_TASKS: tuple[str, ...] = tuple(_BUILDERS)


def tiny_model_kind(task: str) -> str:
    """The builder that serves ``task`` (``translation_en_to_fr`` → ``text2text-generation``)."""
    if task.startswith("translation"):
        return "text2text-generation"
    kind = _SAME_MODEL.get(task, task)
    if kind not in _BUILDERS:
        known = ", ".join(sorted([*_BUILDERS, *_SAME_MODEL]))
        raise ValueError(f"no tiny model for task {task!r}; known tasks: {known}")
    return kind


def build_tiny_model(task: str, directory: str | Path) -> Path:
    """Write a tiny random model for ``task`` into ``directory`` (replaced if it exists); returns it."""
    kind = tiny_model_kind(task)
    module_name, function_name, arguments = _BUILDERS[kind]
    directory = Path(directory)
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    module = importlib.import_module(f"sagemaker_hf.testing.{module_name}")
    builder: Callable[..., Path] = getattr(module, function_name)
    with _quiet_transformers():
        return builder(directory, *arguments)


def build_tiny_models(root: str | Path, tasks: tuple[str, ...] = TINY_MODEL_TASKS) -> dict[str, Path]:
    """Build one tiny model per task under ``root/<task>``."""
    return {task: build_tiny_model(task, Path(root) / task) for task in tasks}


@contextmanager
def _quiet_transformers() -> Iterator[None]:
    """Silence transformers' progress bars and advice while building throwaway checkpoints."""
    from transformers.utils import logging

    verbosity = logging.get_verbosity()
    logging.set_verbosity_error()
    logging.disable_progress_bar()
    try:
        yield
    finally:
        logging.set_verbosity(verbosity)
        logging.enable_progress_bar()
