"""Task resolution and task models for the inference server.

``resolve_task(model_dir, hf_task)`` names the task to serve; ``load_task_model(task, ...)``
loads it behind the ``TaskModel`` interface. Tasks that both transformers 4.x and 5.x ship
as pipelines use the installed pipeline (``pipelines.py``); the ones transformers 5 removed,
and those no version has, use our adapters on every version, so a model answers the same
whichever transformers the image holds:

    question-answering                        question_answering.py
    summarization, translation*, text2text     seq2seq.py
    conversational                             conversational.py
    sentence-embeddings, sentence-similarity   sentence.py

Importing this package loads neither torch nor transformers; ``load_task_model`` does.

How to add a task
-----------------
1. A transformers pipeline task: one row in ``pipelines.NATIVE_SPECS`` (how its inputs are
   prepared, whether requests batch, defaults that differ from the pipeline's), and its
   name in ``names.DOCUMENTED_TASKS`` (or ``names.OTHER_PIPELINE_TASKS``); in
   ``names.CSV_TASKS`` too if a CSV body can express its inputs. For ``HF_TASK`` to be
   inferred from ``config.json``, a row in ``resolution.ARCHITECTURE_TASKS`` (the first
   match wins: more specific patterns first).
2. A task some transformers version has no pipeline for: a module here with
   ``load(task, model_dir, *, device, trust_remote_code)`` returning a ``TaskModel`` (the
   ``typing.Protocol`` in ``base.py``), and one row in ``_ADAPTERS`` below (task -> module).
3. A case in ``CHECKS`` of ``tests/toolkit/tasks/test_every_task.py``, which loads a tiny
   model of every task on both transformers versions (and over HTTP).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from sagemaker_hf.toolkit.errors import ModelLoadError, ToolkitError
from sagemaker_hf.toolkit.tasks.base import TaskModel
from sagemaker_hf.toolkit.tasks.names import DOCUMENTED_TASKS, accepts_csv, task_family
from sagemaker_hf.toolkit.tasks.resolution import resolve_task

__all__ = ["DOCUMENTED_TASKS", "TaskModel", "accepts_csv", "load_task_model", "resolve_task"]

# task family -> module with ``load(task, model_dir, *, device, trust_remote_code)``
_ADAPTERS: dict[str, str] = {
    "question-answering": "question_answering",
    "summarization": "seq2seq",
    "translation": "seq2seq",
    "text2text-generation": "seq2seq",
    "conversational": "conversational",
    "sentence-embeddings": "sentence",
    "sentence-similarity": "sentence",
}


def load_task_model(task: str, model_dir: Path, *, device: str, trust_remote_code: bool) -> TaskModel:
    """Load the model in ``model_dir`` for ``task`` (from ``resolve_task``) on ``device``
    ("cpu" or "cuda:N"). Raises ModelLoadError naming the task, the directory and the cause."""
    module = importlib.import_module(f"{__name__}.{_ADAPTERS.get(task_family(task), 'pipelines')}")
    try:
        return module.load(task, Path(model_dir), device=device, trust_remote_code=trust_remote_code)
    except ToolkitError:
        raise
    except Exception as error:  # any loader failure: missing files, wrong architecture, remote code, OOM
        raise ModelLoadError(
            f"could not load the {task} model from {model_dir}: {type(error).__name__}: {error}. "
            "Check that the directory holds config.json, the weights and the tokenizer or processor files "
            "at its root, and that HF_TASK matches the model."
        ) from error
