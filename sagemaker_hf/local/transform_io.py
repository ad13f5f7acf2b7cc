"""A local transform job's data: which objects it reads, their records, and where outputs go.

- **Inputs** (:func:`list_inputs`): every object under an ``s3://`` prefix, or a local
  file, or every file below a local folder (``file://`` or a path; hidden files such as
  ``.DS_Store`` are skipped). Each keeps its name relative to the prefix's folder, so
  ``<prefix>/sub/a.jsonl`` is written to ``<output>/sub/a.jsonl.out``, as on SageMaker.
- **Records** (:func:`read_records`): read in 1 MB chunks (never the whole object, so
  memory stays flat however large the file), gunzipped on the fly for
  ``CompressionType=Gzip``. ``SplitType=Line`` makes each line a record (``\\n`` ends a
  line; a trailing ``\\r`` is dropped; blank lines are not records and get no output
  line); ``SplitType=None`` makes the whole object one record. Each record carries its
  line number, for error messages.
- **Outputs** (:class:`OutputFile`): written as records complete, to a file in the job's
  folder, then moved (``file://``) or uploaded (``s3://``, with ``KmsKeyId``) to
  ``<S3OutputPath>/<name>.out`` once the object is done, or to ``<name>.out.partial``
  (the outputs of its first records) when the job stops or fails inside it.
"""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sagemaker_hf import storage

OUTPUT_SUFFIX = ".out"
PARTIAL_SUFFIX = ".partial"
CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class InputObject:
    uri: str
    name: str  # relative to the input prefix's folder: the output is <output path>/<name>.out


@dataclass(frozen=True)
class Record:
    line: int  # 1-based line number in its object (1 for a whole-object record)
    data: bytes  # without its line ending


class InputReadError(Exception):
    """An input object could not be read (e.g. it is not gzip although CompressionType says so)."""


def _relative_names(prefix: str, uris: list[str]) -> list[InputObject]:
    """Names relative to the prefix's folder (a prefix that is itself a folder counts as one)."""
    bare = prefix.rstrip("/")
    is_folder = prefix.endswith("/") or any(uri.startswith(bare + "/") for uri in uris)
    folder = bare + "/" if is_folder else bare[: bare.rfind("/") + 1]
    return [
        InputObject(uri, uri[len(folder) :] if uri.startswith(folder) else uri.rsplit("/", 1)[-1])
        for uri in uris
    ]


def list_inputs(storage_session: Any, source: str) -> list[InputObject]:
    """The objects a job reads, sorted by name (see the module docstring)."""
    if storage.is_s3(source):
        uris = [uri for uri in storage.list_uris(storage_session, source) if not uri.endswith("/")]
        return _relative_names(source, uris)
    root = storage.local_path(source)
    if root.is_file():
        return [InputObject(source, root.name)]
    if not root.is_dir():
        return []
    scheme = "file://" if source.startswith("file://") else ""
    files = sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts)
    )
    return [InputObject(f"{scheme}{path}", path.relative_to(root).as_posix()) for path in files]


def _open(storage_session: Any, uri: str) -> IO[bytes]:
    if storage.is_s3(uri):
        location = storage.parse_s3_uri(uri)
        return storage_session.s3_client.get_object(Bucket=location.bucket, Key=location.key)["Body"]
    return open(storage.local_path(uri), "rb")


def _chunks(stream: Any) -> Iterator[bytes]:
    while True:
        chunk = stream.read(CHUNK_BYTES)
        if not chunk:
            return
        yield chunk


def read_records(
    storage_session: Any, item: InputObject, split_type: str | None, compression: str | None
) -> Iterator[Record]:
    """The records of one object, streamed (see the module docstring)."""
    raw = _open(storage_session, item.uri)
    try:
        stream: Any = gzip.GzipFile(fileobj=raw, mode="rb") if compression == "Gzip" else raw
        try:
            if split_type in (None, "None"):
                yield Record(1, b"".join(_chunks(stream)))
                return
            yield from _lines(_chunks(stream))
        except (OSError, EOFError) as error:  # a corrupt or truncated gzip stream
            raise InputReadError(f"{item.name} could not be read: {error}") from error
    finally:
        raw.close()


def _lines(chunks: Iterator[bytes]) -> Iterator[Record]:
    pending = b""
    number = 0
    for chunk in chunks:
        pieces = (pending + chunk).split(b"\n")
        pending = pieces.pop()
        for piece in pieces:
            number += 1
            data = piece[:-1] if piece.endswith(b"\r") else piece
            if data.strip():
                yield Record(number, data)
    if pending.strip():
        number += 1
        yield Record(number, pending[:-1] if pending.endswith(b"\r") else pending)


def output_uri(output_path: str, item: InputObject, partial: bool = False) -> str:
    return storage.join_uri(output_path, item.name + OUTPUT_SUFFIX + (PARTIAL_SUFFIX if partial else ""))


class OutputFile:
    """One object's output, written as it completes, published when the object is done."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = open(path, "wb")  # noqa: SIM115 - closed in publish() / discard()

    def write(self, data: bytes) -> None:
        self._handle.write(data)

    def flush(self) -> None:
        """Hand what was written to the OS, so a killed process leaves it in the file."""
        self._handle.flush()

    def publish(self, storage_session: Any, uri: str, kms_key: str | None) -> str:
        """Move or upload the file to ``uri``; returns ``uri``."""
        self._handle.close()
        if storage.is_s3(uri):
            storage.upload_file(storage_session, self.path, uri, kms_key=kms_key)
            self.path.unlink()
        else:
            target = storage.local_path(uri)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(self.path, target)
        return uri

    def discard(self) -> None:
        self._handle.close()
        self.path.unlink(missing_ok=True)
