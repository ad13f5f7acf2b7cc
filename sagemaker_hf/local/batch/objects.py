"""A local transform job's data: which objects it reads, their records, and where outputs go.

- **Inputs** (:func:`list_inputs`): every object under an ``s3://`` prefix, or a local
  file, or every file below a local folder (``file://`` or a path; hidden files such as
  ``.DS_Store`` are skipped). Each keeps its name relative to the prefix's folder, so
  ``<prefix>/sub/a.jsonl`` is written to ``<output>/sub/a.jsonl.out``, as on SageMaker.
- **Records** (:func:`read_records`): read in 1 MB chunks (never the whole object, so
  memory stays flat however large the file), gunzipped on the fly for
  ``CompressionType=Gzip``. ``SplitType=Line`` makes each line a record (``\\n`` ends a
  line; a trailing ``\\r`` is dropped; blank lines, by :func:`sagemaker_hf.container.records.is_blank`,
  the rule the model server uses too, are not records and get no output line);
  ``SplitType=None`` makes the whole object one record. Each record carries its line
  number, for error messages. A record can be at most ``MaxPayloadInMB``, as on SageMaker:
  reading stops as soon as one is longer (:class:`RecordTooLarge`), so a 1 GB line costs
  the limit and one more chunk, in reading and in memory, not a gigabyte.
- **Outputs** (:class:`OutputFile`): written as records complete, to a file in the job's
  folder, then moved (``file://``) or uploaded (``s3://``, with ``KmsKeyId``) to
  ``<S3OutputPath>/<name>.out`` once the object is done, or to ``<name>.out.partial``
  (the outputs of its first records) when the job stops or fails inside it. Each write
  goes straight to the OS and is whole or not at all: a write that fails (a full disk)
  leaves the file as it was before it (:class:`OutputWriteError`).
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import os
import shutil
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sagemaker_hf import storage
from sagemaker_hf.container.records import is_blank

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


class RecordTooLarge(Exception):
    """A record is longer than a request may be; nothing of it or after it was read further.

    ``size`` is the record's size when ``whole``, else how much of it was read before stopping.
    """

    def __init__(self, line: int, size: int, limit: int, whole: bool) -> None:
        super().__init__(f"line {line} is over {limit:,} bytes")
        self.line, self.size, self.limit, self.whole = line, size, limit, whole


class OutputWriteError(Exception):
    """An output could not be written or published; what it held before stays whole."""


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
    # read1: what one read of the source gives. read() fills the whole chunk first, and a
    # source failing part way through (a corrupt gzip member) would take the records
    # already decoded down with it.
    read = getattr(stream, "read1", stream.read)
    while True:
        chunk = read(CHUNK_BYTES)
        if not chunk:
            return
        yield chunk


def read_records(
    storage_session: Any,
    item: InputObject,
    split_type: str | None,
    compression: str | None,
    max_record_bytes: int | None = None,
    encoding: str = "utf-8",
) -> Iterator[Record]:
    """The records of one object, streamed (see the module docstring).

    ``max_record_bytes`` (None: no limit) is the longest record that can be sent; a longer
    one raises :class:`RecordTooLarge` after the records before it. ``encoding`` is the
    charset of the job's ContentType, which decides whether a line is blank.
    """
    try:
        raw = _open(storage_session, item.uri)
    except OSError as error:
        raise InputReadError(f"{item.name} could not be read: {error}") from error
    try:
        stream: Any = gzip.GzipFile(fileobj=raw, mode="rb") if compression == "Gzip" else raw
        try:
            if split_type in (None, "None"):
                yield _whole(_chunks(stream), max_record_bytes)
                return
            yield from _lines(_chunks(stream), max_record_bytes, encoding)
        except (OSError, EOFError, zlib.error) as error:  # a corrupt or truncated gzip stream, a failing disk
            raise InputReadError(f"{item.name} could not be read: {error}") from error
    finally:
        raw.close()


def _whole(chunks: Iterator[bytes], limit: int | None) -> Record:
    parts: list[bytes] = []
    size = 0
    for chunk in chunks:
        parts.append(chunk)
        size += len(chunk)
        if limit is not None and size > limit:
            raise RecordTooLarge(1, size, limit, whole=False)
    return Record(1, b"".join(parts))


def _record(number: int, line: bytes, limit: int | None, encoding: str) -> Record | None:
    data = line[:-1] if line.endswith(b"\r") else line
    if limit is not None and len(data) > limit:
        raise RecordTooLarge(number, len(data), limit, whole=True)
    return None if is_blank(data, encoding) else Record(number, data)


def _lines(chunks: Iterator[bytes], limit: int | None, encoding: str) -> Iterator[Record]:
    """Lines as records. The line not ended yet is kept as a list of its chunks and joined
    once, when its end arrives, so a long line costs its length, not its length squared;
    one longer than ``limit`` is refused as soon as it is, without reading the rest."""
    pending: list[bytes] = []
    pending_size = 0
    number = 0
    for chunk in chunks:
        *ended, rest = chunk.split(b"\n")
        if ended:
            if pending:
                ended[0] = b"".join([*pending, ended[0]])
                pending, pending_size = [], 0
            for line in ended:
                number += 1
                record = _record(number, line, limit, encoding)
                if record is not None:
                    yield record
        if rest:
            pending.append(rest)
            pending_size += len(rest)
            if limit is not None and pending_size > limit + 1:  # +1: a \r that will not count
                raise RecordTooLarge(number + 1, pending_size, limit, whole=False)
    if pending:
        record = _record(number + 1, b"".join(pending), limit, encoding)
        if record is not None:
            yield record


def output_uri(output_path: str, item: InputObject, partial: bool = False) -> str:
    return storage.join_uri(output_path, item.name + OUTPUT_SUFFIX + (PARTIAL_SUFFIX if partial else ""))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _move(source: Path, target: Path) -> None:
    """``source`` to ``target``, whole or not at all (a copy across disks that fails leaves nothing)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, target)
        return
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
    copy = target.with_name(f".{target.name}.copying")
    try:
        shutil.copyfile(source, copy)
        os.replace(copy, target)
    except BaseException:
        copy.unlink(missing_ok=True)
        raise
    source.unlink()


class OutputFile:
    """One object's output, written as it completes, published when the object is done.

    Writes go straight to the OS (no buffer in this process), so what a count says was
    written is in the file even if the process is killed the next moment.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.size = 0  # bytes of whole writes
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd: int | None = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)

    def write(self, data: bytes) -> None:
        """Append ``data`` whole, or raise OutputWriteError with the file as it was."""
        assert self._fd is not None
        try:
            _write_all(self._fd, data)
        except OSError as error:
            # Part of data may be on disk: cut it off, so the file ends at a record's end.
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, self.size)
                os.lseek(self._fd, self.size, os.SEEK_SET)
            raise OutputWriteError(f"could not write {self.path}: {error.strerror or error}") from error
        self.size += len(data)

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def publish(self, storage_session: Any, uri: str, kms_key: str | None) -> str:
        """Move or upload the file to ``uri``; returns ``uri``. On OutputWriteError the file stays here."""
        self._close()
        try:
            if storage.is_s3(uri):
                storage.upload_file(storage_session, self.path, uri, kms_key=kms_key)
                self.path.unlink()
            else:
                _move(self.path, storage.local_path(uri))
        except Exception as error:  # OSError, botocore's errors: the outputs must not be lost with it
            raise OutputWriteError(f"could not write {uri}: {error}") from error
        return uri

    def discard(self) -> None:
        self._close()
        self.path.unlink(missing_ok=True)
