"""Put a model folder into a Hugging Face cache under a Hub repo id, so Hub flows run offline.

``seed_hub_cache(model_dir, "org/name", cache_dir)`` writes the layout (a legacy id without an
organisation, such as ``distilbert-base-uncased``, is cached as ``models--distilbert-base-uncased``)
``huggingface_hub`` reads with ``HF_HUB_OFFLINE=1`` (or ``local_files_only=True``)::

    <cache_dir>/models--org--name/
        blobs/<sha256 of each file>
        snapshots/<commit>/<relative path>  -> ../../blobs/<sha256>   (symbolic links)
        refs/main                           -> <commit>

The commit is derived from the files' contents, so seeding the same folder twice is a
no-op. ``cache_dir`` is what ``HF_HUB_CACHE`` points at (by default
``~/.cache/huggingface/hub``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def repo_folder(cache_dir: str | Path, repo_id: str) -> Path:
    """``<cache_dir>/models--org--name``."""
    return Path(cache_dir) / ("models--" + repo_id.replace("/", "--"))


def seed_hub_cache(
    model_dir: str | Path, repo_id: str, cache_dir: str | Path, revision: str = "main"
) -> Path:
    """Cache ``model_dir``'s files as ``repo_id`` at ``revision``; returns the snapshot folder."""
    model_dir = Path(model_dir)
    if not repo_id or repo_id.strip("/") != repo_id or repo_id.count("/") > 1:
        raise ValueError(f"repo_id={repo_id!r} must look like 'org/name' (or a legacy 'name').")
    files = sorted(
        path
        for path in model_dir.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(model_dir).parts)
    )
    if not files:
        raise ValueError(f"{model_dir} holds no files to cache.")
    hashes = {path.relative_to(model_dir).as_posix(): _sha256(path) for path in files}
    commit = hashlib.sha1("".join(f"{name}\0{sha}\n" for name, sha in hashes.items()).encode()).hexdigest()
    folder = repo_folder(cache_dir, repo_id)
    snapshot = folder / "snapshots" / commit
    for path in files:
        name = path.relative_to(model_dir).as_posix()
        blob = folder / "blobs" / hashes[name]
        if not blob.exists():
            blob.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, blob)
        link = snapshot / name
        if not link.is_symlink():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(os.path.relpath(blob, link.parent))
    (folder / "refs").mkdir(parents=True, exist_ok=True)
    (folder / "refs" / revision).write_text(commit)
    return snapshot
