"""Local mode's state on disk: one JSON file per resource, changed under one file lock.

``<home>/registry/<folder>/<name>.json``, where the folder comes from the record class
(``models``, ``endpoint-configs``, ``endpoints``; job modules add their own). Secrets in an
``Environment`` (``HF_TOKEN``, AWS keys) are written as placeholders (:mod:`secret_env`). Files are
replaced atomically, so readers never need the lock; writers that read, decide and
write hold :meth:`Registry.lock` (an ``flock`` on ``<home>/registry/.lock``) so two
Python processes, or a notebook and ``sagemaker-hf local rm``, cannot interleave.

Beside a record that names child processes, ``<name>.pids`` lists them (the
:class:`ChildProcess` entries, as JSON): a record that can no longer be read (truncated,
or written by another version: records refuse unknown fields) can still be removed with
its processes stopped. Reading such a record raises :class:`UnreadableRecordError`,
which names the file; listing skips it with a warning.

Names are unique case-insensitively, as SageMaker's are (:meth:`Registry.same_name`), and
a lookup matches the name's case exactly.
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


PIDS_SUFFIX = ".pids"


class UnreadableRecordError(ValueError):
    """A record file that is there but cannot be read as its kind."""

    def __init__(self, name: str, path: Path, reason: str) -> None:
        super().__init__(f"the local record {path} cannot be read: {reason}")
        self.name = name
        self.path = path
        self.reason = reason


class Record(BaseModel):
    """A named resource; subclasses set ``folder``."""

    model_config = ConfigDict(extra="forbid")
    folder: ClassVar[str]

    name: str
    arn: str
    created: datetime

    def child_processes(self) -> list[ChildProcess]:
        """Every server process this record names (written to its pid file)."""
        found: list[ChildProcess] = []

        def walk(value: Any) -> None:
            if isinstance(value, ChildProcess):
                found.append(value)
            elif isinstance(value, BaseModel):
                for field_name in type(value).model_fields:
                    walk(getattr(value, field_name))

        walk(self)
        return found


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

    def _path(self, kind: type[Record], name: str, suffix: str = ".json") -> Path:
        # Names are checked against the API's patterns first; this only keeps a bad one off the disk.
        if not name or name in (".", "..") or "/" in name or "\0" in name or name.startswith("."):
            raise ValueError(f"{name!r} cannot name a local record.")
        return self.root / kind.folder / f"{name}{suffix}"

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
        """The record named exactly ``name``; None when there is none; :class:`UnreadableRecordError`
        when its file cannot be read as ``kind``."""
        path = self._path(kind, name)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as error:
            raise UnreadableRecordError(name, path, f"{type(error).__name__}: {error}") from None
        try:
            record = kind.model_validate_json(text)
        except ValidationError as error:
            summary = "; ".join(
                f"{'.'.join(map(str, item['loc'])) or 'the file'}: {item['msg']}"
                for item in error.errors()[:3]
            )
            raise UnreadableRecordError(name, path, summary) from None
        # A case-insensitive file system finds "Ep1.json" for "ep1": that is another name.
        return record if record.name == name else None

    def save(self, record: Record) -> None:
        path = self._path(type(record), record.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        children = [process.model_dump(mode="json") for process in record.child_processes()]
        pids_path = self._path(type(record), record.name, PIDS_SUFFIX)
        if children:  # first, so a process is never named only by a record that may break
            self._write(pids_path, children)
        self._write(path, secret_env.held_back(record.model_dump(mode="json")))
        if not children:
            pids_path.unlink(missing_ok=True)

    @staticmethod
    def _write(path: Path, data: Any) -> None:
        """Replace ``path`` atomically with ``data`` as JSON."""
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(data, stream, indent=2)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def remove(self, kind: type[Record], name: str) -> bool:
        """Delete the record and its pid file; whether there was a record."""
        self._path(kind, name, PIDS_SUFFIX).unlink(missing_ok=True)
        try:
            self._path(kind, name).unlink()
        except FileNotFoundError:
            return False
        return True

    def child_processes(self, kind: type[Record], name: str) -> list[ChildProcess]:
        """The processes the pid file beside a record lists (readable or not); [] when there is none."""
        try:
            entries = json.loads(self._path(kind, name, PIDS_SUFFIX).read_text(encoding="utf-8"))
            return [ChildProcess.model_validate(entry) for entry in entries]
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as error:
            logger.warning("cannot read the pid file of the local record %s: %s", name, error)
            return []

    def names(self, kind: type[Record]) -> list[str]:
        folder = self.root / kind.folder
        return sorted(path.stem for path in folder.glob("*.json")) if folder.is_dir() else []

    def same_name(self, kind: type[Record], name: str) -> str | None:
        """The name of a record of ``kind`` that is ``name`` but for case (SageMaker's names are
        case-insensitive), or None."""
        folded = name.casefold()
        return next((other for other in self.names(kind) if other.casefold() == folded), None)

    def entries(self, kind: type[RecordT]) -> list[RecordT | UnreadableRecordError]:
        """Every record of ``kind`` by name, an unreadable one as its error."""
        found: list[RecordT | UnreadableRecordError] = []
        for name in self.names(kind):
            try:
                record = self.load(kind, name)
            except UnreadableRecordError as error:
                found.append(error)
                continue
            if record is not None:
                found.append(record)
        return found

    def all(self, kind: type[RecordT]) -> list[RecordT]:
        """Every readable record of ``kind``; unreadable ones are logged and skipped."""
        records = []
        for entry in self.entries(kind):
            if isinstance(entry, UnreadableRecordError):
                logger.warning("skipping %s", entry)
            else:
                records.append(entry)
        return records
