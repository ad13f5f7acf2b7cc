"""Local mode's state on disk: one JSON file per resource, changed under one file lock.

``<home>/registry/<folder>/<name>.json``, where the folder comes from the record class
(``models``, ``endpoint-configs``, ``endpoints``; job modules add their own). Secrets in an
``Environment`` (``HF_TOKEN``, AWS keys) are written as placeholders (:mod:`secret_env`). Files are
replaced atomically, so readers never need the lock; writers that read, decide and
write hold :meth:`Registry.lock` (an ``flock`` on ``<home>/registry/.lock``) so two
Python processes, or a notebook and ``sagemaker-hf local rm``, cannot interleave.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from sagemaker_hf.local import secret_env

logger = logging.getLogger(__name__)


class Record(BaseModel):
    """A named resource; subclasses set ``folder``."""

    model_config = ConfigDict(extra="forbid")
    folder: ClassVar[str]

    name: str
    arn: str
    created: datetime


class ModelRecord(Record):
    folder: ClassVar[str] = "models"
    request: dict[str, Any]  # the CreateModel request as validated


class EndpointConfigRecord(Record):
    folder: ClassVar[str] = "endpoint-configs"
    request: dict[str, Any]  # the CreateEndpointConfig request as validated


class ChildProcess(BaseModel):
    """A toolkit server process: who it is, where it listens, where it logs."""

    model_config = ConfigDict(extra="forbid")

    pid: int
    identity: str | None  # the kernel's start time of ``pid``: a reused pid has another one
    port: int
    model_dir: Path
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class Deployment(BaseModel):
    """One endpoint config running as one process (an update runs a second one until it is ready)."""

    model_config = ConfigDict(extra="forbid")

    config: dict[str, Any]  # CreateEndpointConfig request, kept even if the config is deleted
    model: dict[str, Any]  # CreateModel request of the variant's model
    work_dir: Path
    process: ChildProcess | None  # None when the model data could not be prepared
    started: datetime
    startup_timeout_seconds: float
    seen_ready: bool = False

    @property
    def config_name(self) -> str:
        return self.config["EndpointConfigName"]

    @property
    def variant(self) -> dict[str, Any]:
        return self.config["ProductionVariants"][0]


class EndpointRecord(Record):
    folder: ClassVar[str] = "endpoints"

    modified: datetime
    tags: list[dict[str, str]] = []
    current: Deployment
    pending: Deployment | None = None  # the new config of an update, until it is ready
    failure: str | None = None  # set once the endpoint has Failed; its process is stopped
    update_failure: str | None = None  # the last update that did not become ready


RecordT = TypeVar("RecordT", bound=Record)


class Registry:
    """Records under ``root``; see the module docstring."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, kind: type[Record], name: str) -> Path:
        return self.root / kind.folder / f"{name}.json"

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive across processes and threads (not re-entrant: never nest it)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def load(self, kind: type[RecordT], name: str) -> RecordT | None:
        try:
            text = self._path(kind, name).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        return kind.model_validate_json(text)

    def save(self, record: Record) -> None:
        path = self._path(type(record), record.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{record.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(secret_env.held_back(record.model_dump(mode="json")), stream, indent=2)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def remove(self, kind: type[Record], name: str) -> bool:
        try:
            self._path(kind, name).unlink()
        except FileNotFoundError:
            return False
        return True

    def names(self, kind: type[Record]) -> list[str]:
        folder = self.root / kind.folder
        return sorted(path.stem for path in folder.glob("*.json")) if folder.is_dir() else []

    def all(self, kind: type[RecordT]) -> list[RecordT]:
        """Every readable record of ``kind``; unreadable ones are logged and skipped."""
        records = []
        for name in self.names(kind):
            try:
                record = self.load(kind, name)
            except (ValidationError, ValueError) as error:
                logger.warning("skipping the unreadable local record %s: %s", self._path(kind, name), error)
                continue
            if record is not None:
                records.append(record)
        return records
