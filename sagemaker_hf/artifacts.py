"""``model.tar.gz``: pack a model directory, repack with ``code/``, build code-only archives.

The container unpacks ``model.tar.gz`` into ``/opt/ml/model``: model files sit at the
archive root, user code under ``code/`` (``/opt/ml/model/code``). Every archive that comes
in is unpacked through :func:`sagemaker_hf.safetar.safe_extract`.
"""

from __future__ import annotations

import logging
import os
import shutil
import tarfile
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sagemaker_hf import storage
from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.progress import TransferProgress
from sagemaker_hf.safetar import safe_extract

logger = logging.getLogger(__name__)

MODEL_ARCHIVE_NAME = "model.tar.gz"
CODE_DIR_NAME = "code"
CONTAINER_CODE_DIR = "/opt/ml/model/code"
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".h5", ".msgpack", ".onnx")


@dataclass(frozen=True)
class CodeSpec:
    """User inference code: the script, an optional directory holding it, and extra dependencies."""

    entry_point: str
    source_dir: str | None = None
    dependencies: tuple[str, ...] = ()

    @property
    def script_name(self) -> str:
        return Path(self.entry_point).name

    def check(self) -> None:
        """Fail before any API call if a local file named here is missing."""
        if self.source_dir and not storage.is_s3(self.source_dir):
            if not Path(self.source_dir).is_dir():
                raise ConfigurationError(f"source_dir={self.source_dir!r} is not a directory.")
            if not (Path(self.source_dir) / self.entry_point).is_file():
                raise ConfigurationError(
                    f"entry_point={self.entry_point!r} is not a file inside source_dir={self.source_dir!r}; "
                    "give entry_point relative to source_dir."
                )
        elif not self.source_dir and not Path(self.entry_point).is_file():
            raise ConfigurationError(f"entry_point={self.entry_point!r} is not a file.")
        for dependency in self.dependencies:
            if not Path(dependency).exists():
                raise ConfigurationError(f"dependencies: {dependency!r} does not exist.")


def check_model_data(model_data: str | Path | None) -> str | None:
    """``model_data`` as a string, if it is an s3:// URI, or a local .tar.gz or directory (a path
    or a ``file://`` URI, kept as given)."""
    if model_data is None:
        return None
    text = str(model_data)
    if storage.is_s3(text):
        return text
    path = _local_model_data(text)
    if path is None or not (path.is_dir() or (path.is_file() and path.name.endswith((".tar.gz", ".tgz")))):
        raise ConfigurationError(
            f"model_data={text!r} is neither an s3:// URI, a local model.tar.gz, nor a local model directory "
            "(a path or a file:// URI)."
        )
    return text


def _local_model_data(text: str) -> Path | None:
    """The disk path of local model data (a path or a ``file://`` URI); None for another scheme."""
    if "://" in text and not text.startswith("file://"):
        return None
    return storage.local_path(text)


def _visible_entries(directory: Path) -> list[Path]:
    # Like `tar zcvf model.tar.gz *`: hidden entries (.git, .gitattributes, .cache) stay out.
    return sorted(path for path in directory.iterdir() if not path.name.startswith("."))


def check_model_layout(model_dir: str | Path, has_custom_code: bool = False) -> None:
    """Check a model directory's layout before it is packed.

    Raises :class:`ConfigurationError` when the root has no ``config.json`` (unless the
    model comes with its own inference code), and warns when a folder below the root
    looks like a second copy of a model (an extra top-level folder).
    """
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        raise ConfigurationError(f"{str(model_dir)!r} is not a directory.")
    entries = _visible_entries(model_dir)
    if not entries:
        raise ConfigurationError(f"{str(model_dir)!r} is empty; there is no model to pack.")
    nested_models = [
        entry.name
        for entry in entries
        if entry.is_dir()
        and entry.name != CODE_DIR_NAME
        and (entry / "config.json").is_file()
        and any(path.suffix in _WEIGHT_SUFFIXES for path in entry.iterdir())
    ]
    custom_code = has_custom_code or (model_dir / CODE_DIR_NAME / "inference.py").is_file()
    if not (model_dir / "config.json").is_file() and not custom_code:
        hint = (
            f" The model sits one level down in {nested_models[0]!r}: pack "
            f"{str(model_dir / nested_models[0])!r} so its files are at the archive root."
            if len(nested_models) == 1
            else " The files must sit at the archive root, as `cd <dir> && tar zcvf model.tar.gz *` does."
        )
        raise ConfigurationError(f"{str(model_dir)!r} has no config.json at its root.{hint}")
    for name in nested_models:
        warnings.warn(
            f"{str(model_dir / name)!r} looks like a whole model inside the model directory (an extra "
            "top-level folder); SageMaker loads only the files at the root.",
            UserWarning,
            stacklevel=3,
        )


class _CountingReader:
    """A file wrapper that reports each chunk tarfile reads to a progress line."""

    def __init__(self, handle: Any, progress: TransferProgress) -> None:
        self.handle = handle
        self.progress = progress

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.progress.add(len(chunk))
        return chunk


def make_tarball(source_dir: str | Path, output_path: str | Path) -> Path:
    """Write ``source_dir``'s visible contents, at the archive root, to a gzipped tar.

    Symbolic links are stored as the files they point to (a Hugging Face cache snapshot
    is a folder of links into ``blobs/``).
    """
    source_dir, output_path = Path(source_dir), Path(output_path)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for entry in _visible_entries(source_dir):
        if entry.resolve() != output_path.resolve():
            paths += [entry, *_tree(entry)] if entry.is_dir() else [entry]
    total = sum(path.stat().st_size for path in paths if path.is_file())
    progress = TransferProgress(f"Packing {output_path}", total)
    with tarfile.open(output_path, "w:gz", compresslevel=6, dereference=True) as tar:
        for path in paths:
            info = tar.gettarinfo(str(path), arcname=path.relative_to(source_dir).as_posix())
            if info.isfile():
                with path.open("rb") as handle:
                    tar.addfile(info, _CountingReader(handle, progress))
            else:
                tar.addfile(info)
    progress.close()
    return output_path


def _tree(directory: Path) -> list[Path]:
    """Everything below ``directory``, following symlinked folders at any depth (as
    ``shutil.copytree`` does when ``deploy()`` stages a folder), so both paths pack the same
    files. A link back to a folder it sits in would never end: refused."""
    found: list[Path] = []
    for parent, folders, files in os.walk(directory, followlinks=True):
        here = Path(parent)
        ancestors = {here.resolve(), *(folder.resolve() for folder in here.parents)}
        for name in folders:
            if (here / name).is_symlink() and (here / name).resolve() in ancestors:
                raise ConfigurationError(
                    f"{str(here / name)!r} is a symbolic link to a folder that contains it, so the folder "
                    "never ends; remove the link or replace it with a copy of what it should hold."
                )
        found += [here / name for name in folders + files]
    return sorted(found)


def build_model_archive(model_dir: str | Path, output_path: str | Path | None = None) -> Path:
    """Build ``model.tar.gz`` from a model directory (a saved model or a cloned Hub repo).

    The one-call version of ``cd <repo> && tar zcvf model.tar.gz *``, with the layout
    checked. Writes next to the directory by default; returns the archive's path.
    """
    model_dir = Path(model_dir)
    check_model_layout(model_dir)
    output = Path(output_path) if output_path else model_dir.parent / f"{model_dir.name}.{MODEL_ARCHIVE_NAME}"
    return make_tarball(model_dir, output)


def write_code_dir(session: Any, model_dir: Path, code: CodeSpec) -> None:
    """Put the user's code under ``model_dir/code`` (dependencies under ``code/lib``)."""
    code_dir = model_dir / CODE_DIR_NAME
    if code.source_dir and storage.is_s3(code.source_dir):
        shutil.rmtree(code_dir, ignore_errors=True)
        with tempfile.TemporaryDirectory() as scratch:
            archive = storage.download_file(session, code.source_dir, Path(scratch) / "source.tar.gz")
            safe_extract(archive, code_dir)
    elif code.source_dir:
        shutil.rmtree(code_dir, ignore_errors=True)
        shutil.copytree(code.source_dir, code_dir)
    else:
        code_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy2(code.entry_point, code_dir / code.script_name)
    for dependency in map(Path, code.dependencies):
        lib_dir = code_dir / "lib"
        lib_dir.mkdir(parents=True, exist_ok=True)
        if dependency.is_dir():
            shutil.copytree(dependency, lib_dir / dependency.name, dirs_exist_ok=True)
        else:
            shutil.copy2(dependency, lib_dir / dependency.name)


def _stage_model(session: Any, model_data: str | None, stage: Path) -> None:
    """Bring ``model_data`` (S3 or local archive, local directory, or nothing) into ``stage``."""
    stage.mkdir(parents=True, exist_ok=True)
    if model_data is None:
        return
    if storage.is_s3(model_data):
        archive = storage.download_file(session, model_data, stage.parent / "incoming.tar.gz")
        safe_extract(archive, stage)
        archive.unlink()
    elif storage.local_path(model_data).is_file():
        safe_extract(storage.local_path(model_data), stage)
    else:
        shutil.copytree(storage.local_path(model_data), stage, dirs_exist_ok=True)


def prepare_model_data(
    session: Any,
    model_data: str | None,
    code: CodeSpec | None,
    destination_uri: str,
    kms_key: str | None = None,
) -> str | None:
    """The ``ModelDataUrl`` to send, uploading to ``destination_uri`` whatever must be built.

    =========================  ============  ================================================
    model_data                 code          result
    =========================  ============  ================================================
    None                       none          None (a Hub model)
    s3://…                     none          the URI as given
    local .tar.gz              none          uploaded as is
    local directory            none          packed (layout checked), uploaded
    anything, or None          entry_point   unpacked + ``code/`` added, re-packed, uploaded
    =========================  ============  ================================================

    With code and no model data the archive holds only ``code/`` (a Hub model with a
    custom ``inference.py``), so the script is never silently dropped.
    """
    if code is None:
        if model_data is None or storage.is_s3(model_data):
            return model_data
        local = storage.local_path(model_data)
        if local.is_file():
            logger.info("Uploading %s to %s", model_data, destination_uri)
            return storage.upload_file(session, local, destination_uri, kms_key=kms_key, built_archive=True)
        check_model_layout(local)
    with tempfile.TemporaryDirectory(prefix="sagemaker-hf-") as scratch:
        stage = Path(scratch) / "model"
        _stage_model(session, model_data, stage)
        if code is not None:
            write_code_dir(session, stage, code)
        archive = make_tarball(stage, Path(scratch) / MODEL_ARCHIVE_NAME)
        logger.info("Uploading the packed model to %s", destination_uri)
        return storage.upload_file(session, archive, destination_uri, kms_key=kms_key, built_archive=True)
