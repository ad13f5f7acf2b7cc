"""Extract tar archives without letting a member escape the target directory.

A ``model.tar.gz`` can come from anyone. Every place that unpacks one (the SDK's repack,
local mode, the toolkit) goes through :func:`safe_extract`, which refuses, before writing
anything:

- absolute member names and names with ``..`` that leave the target;
- symbolic and hard links whose target leaves the target directory;
- device files and FIFOs;
- archives that would expand past :class:`ExtractLimits`: more than ``max_total_bytes`` in
  all, more than ``max_ratio`` times their own size (a decompression bomb), or more than the
  destination's free disk space. Member sizes are in the headers, so a bomb is refused after
  reading its first header, before anything is written or decompressed.

On Pythons that have it, tarfile's ``data`` filter is applied as well, which also drops
set-uid bits and other dangerous modes.

This module is a leaf (standard library only), so both the SDK and the toolkit use it.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sagemaker_hf.errors import UnsafeArchiveError

_FIX = "Rebuild the archive from a plain directory, e.g. `tar -czf model.tar.gz -C my_model .`"

MAX_EXPANDED_GB_VARIABLE = "SAGEMAKER_HF_MAX_ARCHIVE_EXPANDED_GB"
MAX_RATIO_VARIABLE = "SAGEMAKER_HF_MAX_ARCHIVE_RATIO"
_GB = 1024**3


@dataclass(frozen=True)
class ExtractLimits:
    """How far an archive may expand.

    The defaults hold the largest open models (a 405B-parameter model in bf16 is ~810 GB) and
    their compression (weights barely compress; tokenizers and code ~4:1), while a gzip bomb
    (~1000:1) is refused at once. Below ``ratio_floor_bytes`` the ratio is not checked: small
    archives of text compress well and cannot fill a disk.
    """

    max_total_bytes: int = 1024 * _GB
    max_ratio: float = 100.0
    ratio_floor_bytes: int = 256 * 1024**2

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> ExtractLimits:
        """The defaults, with ``SAGEMAKER_HF_MAX_ARCHIVE_EXPANDED_GB`` / ``..._RATIO`` applied."""
        environ = os.environ if environ is None else environ
        limits = cls()
        try:
            total = float(environ.get(MAX_EXPANDED_GB_VARIABLE, limits.max_total_bytes / _GB))
            ratio = float(environ.get(MAX_RATIO_VARIABLE, limits.max_ratio))
        except ValueError as error:
            raise UnsafeArchiveError(
                f"{MAX_EXPANDED_GB_VARIABLE} and {MAX_RATIO_VARIABLE} must be numbers: {error}"
            ) from None
        return cls(int(total * _GB), ratio, limits.ratio_floor_bytes)


def _inside(root: str, relative: str) -> bool:
    """Whether ``relative``, a POSIX path below ``root``, stays inside it once normalised."""
    normalised = posixpath.normpath(posixpath.join(root, relative))
    return normalised == root or normalised.startswith(root + "/")


def check_member(member: tarfile.TarInfo, archive_name: str) -> None:
    """Raise :class:`UnsafeArchiveError` if extracting ``member`` could write outside the target."""
    name = member.name
    where = f"{archive_name}: member {name!r}"
    # A fixed fake root makes the checks independent of where we extract.
    root = "/__target__"
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise UnsafeArchiveError(f"{where} has an absolute path; archives must hold relative paths. {_FIX}")
    if not _inside(root, name):
        raise UnsafeArchiveError(f"{where} uses '..' to leave the extraction directory. {_FIX}")
    if member.ischr() or member.isblk() or member.isfifo():
        raise UnsafeArchiveError(f"{where} is a device or FIFO, which a model archive never needs. {_FIX}")
    if member.issym():
        target = member.linkname
        if target.startswith("/"):
            raise UnsafeArchiveError(
                f"{where} is a symlink to the absolute path {target!r}, outside the archive. {_FIX}"
            )
        link_dir = posixpath.dirname(posixpath.join(root, name))
        if not _inside(root, posixpath.relpath(posixpath.join(link_dir, target), root)):
            raise UnsafeArchiveError(f"{where} is a symlink to {target!r}, which leaves the archive. {_FIX}")
    if member.islnk():
        target = member.linkname
        if target.startswith("/") or not _inside(root, target):
            raise UnsafeArchiveError(
                f"{where} is a hard link to {target!r}, which leaves the archive. {_FIX}"
            )


def safe_extract(
    archive: str | Path | IO[bytes], destination: str | Path, limits: ExtractLimits | None = None
) -> list[str]:
    """Extract ``archive`` (a path or a binary file object; any compression) into ``destination``.

    Every member is checked before anything is written, so an archive refused for one member
    or for its size leaves no output. The one exception is a chain of links that is harmless on
    paper and leaves only once earlier links exist on disk (``sub/up -> ..``, ``sub/up/up2 -> ..``):
    tarfile's ``data`` filter refuses it as it is extracted, after the members before it
    (all inside ``destination``). ``limits`` defaults to :meth:`ExtractLimits.from_environment`.
    Returns the member names that were extracted.
    """
    limits = limits or ExtractLimits.from_environment()
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    if isinstance(archive, (str, Path)):
        archive_name, opened = str(archive), tarfile.open(archive, mode="r:*")  # noqa: SIM115
        archive_bytes: int | None = os.path.getsize(archive)
    else:
        archive_name = str(getattr(archive, "name", "<archive>"))
        archive_bytes = _stream_size(archive)
        opened = tarfile.open(fileobj=archive, mode="r:*")  # noqa: SIM115
    with opened as tar:
        members, expanded = [], 0
        for member in tar:  # headers one by one: a bomb is refused before its data is read
            check_member(member, archive_name)
            expanded += member.size if member.isreg() else 0
            _check_expansion(archive_name, expanded, archive_bytes, limits)
            members.append(member)
        free = shutil.disk_usage(destination).free
        if expanded > free:
            raise UnsafeArchiveError(
                f"{archive_name} expands to {_size(expanded)} but {destination} has {_size(free)} free; "
                "free some disk space or extract it elsewhere."
            )
        if hasattr(tarfile, "data_filter"):
            # The filter resolves links on disk, so it also catches chains of links that
            # only escape once an earlier member exists.
            try:
                tar.extractall(destination, members=members, filter="data")
            except tarfile.FilterError as error:
                raise UnsafeArchiveError(f"{archive_name}: {error}. {_FIX}") from error
        else:  # pragma: no cover - Pythons before 3.10.12 / 3.11.4
            tar.extractall(destination, members=members)
    return [member.name for member in members]


def _check_expansion(name: str, expanded: int, archive_bytes: int | None, limits: ExtractLimits) -> None:
    if expanded > limits.max_total_bytes:
        raise UnsafeArchiveError(
            f"{name} expands to more than {_size(limits.max_total_bytes)}, the most an archive may hold "
            f"here. If it is genuine, raise {MAX_EXPANDED_GB_VARIABLE} (in GB)."
        )
    ratio_applies = archive_bytes is not None and expanded > limits.ratio_floor_bytes
    if ratio_applies and expanded > limits.max_ratio * max(archive_bytes, 1):
        raise UnsafeArchiveError(
            f"{name} expands to at least {_size(expanded)} from {_size(archive_bytes)}, over "
            f"{limits.max_ratio:g} times its size: a decompression bomb, not a model (weights barely "
            f"compress). If it is genuine, raise {MAX_RATIO_VARIABLE}."
        )


def _stream_size(stream: IO[bytes]) -> int | None:
    """The bytes left in a seekable stream, or None (then only the total limit applies)."""
    try:
        start = stream.tell()
        end = stream.seek(0, os.SEEK_END)
        stream.seek(start)
    except (OSError, AttributeError, ValueError):
        return None
    return end - start


def _size(count: int) -> str:
    for unit, scale in (("GB", _GB), ("MB", 1024**2), ("KB", 1024)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"
