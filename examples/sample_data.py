"""A dozen labelled movie reviews as JSON Lines: the data the training examples give their jobs.

The notebooks tokenize IMDb (or emotion, SQuAD, samsum) with ``datasets`` and upload it to
S3. These examples keep the data tiny and dependency-free instead: JSON Lines files of
``{"text": ..., "label": 0 or 1}``, which ``examples/training/*.py`` read. ``write_splits``
writes a ``train`` and a ``test`` folder; ``upload_splits`` also puts them in S3 with
``Session.upload_data``, as the notebooks do, and returns the channel URIs for ``fit()``.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

REVIEWS = [
    ("I loved this film, it was wonderful", 1),
    ("What a great and happy day", 1),
    ("The music was beautiful", 1),
    ("A good story with a great cast", 1),
    ("I would happily watch it again", 1),
    ("The best movie of the year", 1),
    ("I hated every minute of it", 0),
    ("A terrible and boring film", 0),
    ("The acting was awful", 0),
    ("Bad music and a sad ending", 0),
    ("I want my money back", 0),
    ("The worst movie of the year", 0),
]


def write_split(folder: Path, rows: list[tuple[str, int]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"text": text, "label": label}) for text, label in rows]
    (folder / "data.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def write_splits(root: Path) -> dict[str, Path]:
    """``{"train": <folder>, "test": <folder>}`` under ``root``; the test split is every third review."""
    return {"train": write_split(root / "train", REVIEWS), "test": write_split(root / "test", REVIEWS[::3])}


def upload_splits(session: Any, key_prefix: str) -> dict[str, str]:
    """Both splits uploaded to ``s3://<default bucket>/<key_prefix>/{train,test}``: the ``fit()`` inputs."""
    with tempfile.TemporaryDirectory(prefix="sample-data-") as scratch:
        return {
            channel: session.upload_data(str(folder), key_prefix=f"{key_prefix}/{channel}")
            for channel, folder in write_splits(Path(scratch)).items()
        }
