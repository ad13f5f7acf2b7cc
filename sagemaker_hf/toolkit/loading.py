"""Where the model comes from: the model directory, or a Hub download; and layout checks.

The Hub download lists the repository's files *at the requested revision*, keeps one
weight format (``*.safetensors`` when there are any, otherwise ``pytorch_model*.bin``),
skips the formats a PyTorch server never reads, and downloads into the Hugging Face
cache, so a restart reuses the files. The token is passed as an argument only: never
``login()``, never written to disk, never logged.
"""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from sagemaker_hf.toolkit.errors import ModelLoadError
from sagemaker_hf.toolkit.settings import Settings

logger = logging.getLogger(__name__)

# File names (any folder) a PyTorch server never reads: TensorFlow, Flax, Rust, ONNX,
# TF Lite, OpenVINO, checkpoints, archives and other runtimes' formats.
SKIPPED_FILES = (
    "*.h5",
    "*.keras",
    "tf_model*",
    "*.msgpack",
    "flax_model*",
    "rust_model*",
    "*.ot",
    "*.onnx",
    "*.onnx_data",
    "*.onnx.data",
    "*.tflite",
    "openvino_model*",
    "*.ckpt",
    "*.ckpt.*",
    "*.tar.gz",
    "*.tgz",
    "*.zip",
    "*.pb",
    "*.mlmodel",
    "*.gguf",
    "*.ggml",
)
# Folders whose whole content is for another runtime.
SKIPPED_FOLDERS = frozenset({"onnx", "openvino", "coreml", "saved_model", "tflite"})
# PyTorch pickles, dropped when the repository also has safetensors.
PICKLED_WEIGHTS = ("*pytorch_model*.bin", "*.pt", "*.pth")

ListFiles = Callable[..., list[str]]
Download = Callable[..., Any]


def _skipped(path: str) -> bool:
    parts = PurePosixPath(path).parts
    if any(part in SKIPPED_FOLDERS for part in parts[:-1]):
        return True
    return any(fnmatch.fnmatch(parts[-1], pattern) for pattern in SKIPPED_FILES)


def select_hub_files(files: list[str]) -> list[str]:
    """The files of a Hub repository to download, in their listed order."""
    kept = [path for path in files if not _skipped(path)]
    if any(path.endswith(".safetensors") for path in kept):
        kept = [
            path
            for path in kept
            if not any(fnmatch.fnmatch(PurePosixPath(path).name, pattern) for pattern in PICKLED_WEIGHTS)
        ]
    return kept


def _redacted(text: str, token: str | None) -> str:
    return text.replace(token, "***") if token else text


def download_from_hub(
    settings: Settings, *, list_files: ListFiles | None = None, download: Download | None = None
) -> Path:
    """Download ``HF_MODEL_ID`` at ``HF_MODEL_REVISION`` into the HF cache; return the snapshot folder.

    ``list_files`` and ``download`` default to ``huggingface_hub.list_repo_files`` and
    ``huggingface_hub.snapshot_download`` (tests pass stand-ins with the same keywords).
    When the listing fails (no network), a snapshot already in the cache is used.
    """
    if list_files is None or download is None:
        import huggingface_hub

        list_files = list_files or huggingface_hub.list_repo_files
        download = download or huggingface_hub.snapshot_download
    repo_id = settings.hf_model_id
    assert repo_id is not None
    revision = settings.hf_model_revision
    token = settings.token_value()
    where = f"{repo_id}@{revision or 'main'}"
    try:
        files = list_files(repo_id, revision=revision, token=token)
    except Exception as error:
        reason = _redacted(f"{type(error).__name__}: {error}", token)
        logger.warning(
            "listing the files of %s on the Hub failed (%s); trying the local cache", where, reason
        )
        try:
            return Path(download(repo_id, revision=revision, token=token, local_files_only=True))
        except Exception:
            raise ModelLoadError(
                f"HF_MODEL_ID={repo_id}: listing the files at revision {revision or 'main'} on the "
                f"Hugging Face Hub failed ({reason}) and no copy is cached. Check HF_MODEL_ID and "
                "HF_MODEL_REVISION, set HF_TOKEN for a private or gated model, and make sure the "
                "container can reach the Hub"
            ) from None
    selected = select_hub_files(files)
    skipped = [path for path in files if path not in selected]
    logger.info(
        "downloading %d of %d files of %s from the Hugging Face Hub (skipping %s)",
        len(selected),
        len(files),
        where,
        ", ".join(skipped) or "nothing",
    )
    try:
        folder = download(repo_id, revision=revision, token=token, allow_patterns=selected)
    except Exception as error:
        reason = _redacted(f"{type(error).__name__}: {error}", token)
        raise ModelLoadError(f"HF_MODEL_ID={repo_id}: downloading {where} failed: {reason}") from None
    logger.info("%s is in %s", where, folder)
    return Path(folder)


def nested_archive_problem(model_dir: Path) -> str | None:
    """The message for a ``model.tar.gz`` that put everything under one extra folder, else None."""
    if not model_dir.is_dir() or (model_dir / "config.json").exists():
        return None
    entries = [
        entry
        for entry in model_dir.iterdir()
        if not entry.name.startswith(".") and entry.name not in ("code", "__MACOSX")
    ]
    if len(entries) == 1 and entries[0].is_dir() and (entries[0] / "config.json").is_file():
        folder = entries[0].name
        return (
            f"the archive nests everything in one extra folder '{folder}/'; "
            f"put the files at the archive root: tar -czf model.tar.gz -C {folder} ."
        )
    return None


def check_model_dir(model_dir: Path) -> None:
    """Raise :class:`ModelLoadError` when the default loader cannot use ``model_dir``."""
    if not model_dir.is_dir():
        raise ModelLoadError(
            f"the model directory {model_dir} does not exist; set SM_MODEL_DIR (or --model-dir) to the "
            "folder holding config.json, or set HF_MODEL_ID to load a model from the Hub"
        )
    problem = nested_archive_problem(model_dir)
    if problem:
        raise ModelLoadError(f"{model_dir}: {problem}")


def resolve_model_dir(
    settings: Settings, *, list_files: ListFiles | None = None, download: Download | None = None
) -> Path:
    """The folder to load the model from: a Hub snapshot when HF_MODEL_ID is set, else the model dir."""
    if settings.hf_model_id:
        return download_from_hub(settings, list_files=list_files, download=download)
    return settings.model_dir
