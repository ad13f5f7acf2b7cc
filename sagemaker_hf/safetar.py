"""Extract tar archives without letting a member escape the target directory.

A ``model.tar.gz`` can come from anyone. Every place that unpacks one (the SDK's repack,
local mode, the toolkit) goes through :func:`safe_extract`, which refuses, before writing
anything:

- absolute member names and names with ``..`` that leave the target;
- symbolic and hard links whose target leaves the target directory;
- device files and FIFOs.

On Pythons that have it, tarfile's ``data`` filter is applied as well, which also drops
set-uid bits and other dangerous modes.

This module is a leaf (standard library only), so both the SDK and the toolkit use it.
"""

from __future__ import annotations

import posixpath
import tarfile
from pathlib import Path
from typing import IO

from sagemaker_hf.errors import UnsafeArchiveError

_FIX = "Rebuild the archive from a plain directory, e.g. `tar -czf model.tar.gz -C my_model .`"


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


def safe_extract(archive: str | Path | IO[bytes], destination: str | Path) -> list[str]:
    """Extract ``archive`` (a path or a binary file object; any compression) into ``destination``.

    Every member is checked before anything is written, so an archive refused for one member
    leaves no output. The one exception is a chain of links that is harmless on paper and
    leaves only once earlier links exist on disk (``sub/up -> ..``, ``sub/up/up2 -> ..``):
    tarfile's ``data`` filter refuses it as it is extracted, after the members before it
    (all inside ``destination``). Returns the member names that were extracted.
    """
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    if isinstance(archive, (str, Path)):
        archive_name, opened = str(archive), tarfile.open(archive, mode="r:*")  # noqa: SIM115
    else:
        archive_name = str(getattr(archive, "name", "<archive>"))
        opened = tarfile.open(fileobj=archive, mode="r:*")  # noqa: SIM115
    with opened as tar:
        members = tar.getmembers()
        for member in members:
            check_member(member, archive_name)
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
