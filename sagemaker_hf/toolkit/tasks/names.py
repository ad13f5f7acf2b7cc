"""Task names: the documented tasks, their aliases, and the flags the server needs.

This module imports nothing heavy; the front process may use it.
"""

from __future__ import annotations

import re

# The tasks the SageMaker Hugging Face documentation lists, plus the two sentence tasks
# of the Hugging Face toolkit. ``translation`` stands for every ``translation_xx_to_yy``.
DOCUMENTED_TASKS: tuple[str, ...] = (
    "text-classification",
    "sentiment-analysis",
    "token-classification",
    "feature-extraction",
    "fill-mask",
    "question-answering",
    "summarization",
    "translation_xx_to_yy",
    "text2text-generation",
    "text-generation",
    "conversational",
    "audio-classification",
    "automatic-speech-recognition",
    "image-classification",
    "image-segmentation",
    "object-detection",
    "table-question-answering",
    "zero-shot-classification",
    "zero-shot-image-classification",
    "sentence-embeddings",
    "sentence-similarity",
)

# HF_TASK spellings that mean another task.
ALIASES: dict[str, str] = {
    "sentiment-analysis": "text-classification",
    "ner": "token-classification",
    "sentence-embedding": "sentence-embeddings",
    "sentence-transformers": "sentence-embeddings",
    "embeddings": "sentence-embeddings",
    "chat": "conversational",
}

# Other transformers pipelines, served natively when the installed transformers has them.
OTHER_PIPELINE_TASKS: tuple[str, ...] = (
    "depth-estimation",
    "document-question-answering",
    "image-feature-extraction",
    "image-text-to-text",
    "image-to-image",
    "image-to-text",
    "mask-generation",
    "text-to-audio",
    "video-classification",
    "visual-question-answering",
    "zero-shot-audio-classification",
    "zero-shot-object-detection",
)

# Canonical names (after aliases) that resolve_task may return, besides translation_xx_to_yy.
CANONICAL_TASKS: frozenset[str] = frozenset(
    {name for name in DOCUMENTED_TASKS if name not in ALIASES and name != "translation_xx_to_yy"}
    | {"translation"}
    | set(OTHER_PIPELINE_TASKS)
)

SENTENCE_TASKS = frozenset({"sentence-embeddings", "sentence-similarity"})

# Inputs a CSV body can express: text per row (or question/context rows).
CSV_TASKS = frozenset(
    {
        "text-classification",
        "token-classification",
        "feature-extraction",
        "fill-mask",
        "question-answering",
        "summarization",
        "translation",
        "text2text-generation",
        "text-generation",
        "sentence-embeddings",
    }
)

_TRANSLATION = re.compile(r"^translation_(?P<source>[^_].*?)_to_(?P<target>[^_].*)$")


def translation_languages(task: str) -> tuple[str, str] | None:
    """``translation_en_to_fr`` → ``("en", "fr")``; None for anything else."""
    match = _TRANSLATION.match(task)
    return (match["source"], match["target"]) if match else None


def task_family(task: str) -> str:
    """The task without its languages: ``translation_en_to_fr`` → ``translation``."""
    return "translation" if task.startswith("translation") else task


def accepts_csv(task: str) -> bool:
    return task_family(task) in CSV_TASKS
