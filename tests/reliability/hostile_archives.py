"""``model.tar.gz`` files built to escape their extraction directory, one per trick.

Every archive starts with a harmless ``config.json`` (it looks like a model), then the
hostile member. Escapes aim at ``/tmp/<marker>`` through as many ``../`` as any extraction
directory could need, so a test checks one place whatever directory a path extracts into;
hard links aim at a victim file ``/tmp/<marker>-victim`` that must keep its content.
"""

from __future__ import annotations

import io
import tarfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

UP = "../" * 16  # more levels than any extraction directory has
VICTIM_TEXT = b"original content"
PAYLOAD = b"pwned"


def _file(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _special(tar: tarfile.TarFile, name: str, kind: bytes, link: str = "") -> None:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    if kind == tarfile.CHRTYPE:
        info.devmajor, info.devminor = 1, 3  # /dev/null's numbers
    tar.addfile(info)


# kind -> (how to add the hostile members for ``marker``, a fragment of the expected message)
Builder = Callable[[tarfile.TarFile, str], None]
KINDS: dict[str, tuple[Builder, str]] = {
    "dotdot": (lambda tar, marker: _file(tar, f"{UP}tmp/{marker}", PAYLOAD), "uses '..' to leave"),
    "absolute": (lambda tar, marker: _file(tar, f"/tmp/{marker}", PAYLOAD), "has an absolute path"),
    "symlink-out": (
        lambda tar, marker: (
            _special(tar, "escape", tarfile.SYMTYPE, f"{UP}tmp"),
            _file(tar, f"escape/{marker}", PAYLOAD),
        ),
        "which leaves the archive",
    ),
    "symlink-absolute": (
        lambda tar, marker: (
            _special(tar, "escape", tarfile.SYMTYPE, "/tmp"),
            _file(tar, f"escape/{marker}", PAYLOAD),
        ),
        "symlink to the absolute path '/tmp'",
    ),
    "hardlink-out": (
        lambda tar, marker: (
            _special(tar, "victim", tarfile.LNKTYPE, f"{UP}tmp/{marker}-victim"),
            _file(tar, "victim", PAYLOAD),
        ),
        "is a hard link to",
    ),
    "hardlink-absolute": (
        lambda tar, marker: (
            _special(tar, "victim", tarfile.LNKTYPE, f"/tmp/{marker}-victim"),
            _file(tar, "victim", PAYLOAD),
        ),
        "is a hard link to",
    ),
    "device": (lambda tar, marker: _special(tar, "null", tarfile.CHRTYPE), "is a device or FIFO"),
    "fifo": (lambda tar, marker: _special(tar, "pipe", tarfile.FIFOTYPE), "is a device or FIFO"),
    # Each link stays inside on paper; on disk, up2 (in the folder up points to) leaves.
    "link-chain": (
        lambda tar, marker: (
            _special(tar, "sub/up", tarfile.SYMTYPE, ".."),
            _special(tar, "sub/up/up2", tarfile.SYMTYPE, ".."),
            _file(tar, f"sub/up/up2/{marker}", PAYLOAD),
        ),
        "outside the destination",
    ),
}


@dataclass(frozen=True)
class HostileArchive:
    path: Path
    marker: str
    expected_message: str

    @property
    def escape_target(self) -> Path:
        return Path("/tmp") / self.marker

    @property
    def victim(self) -> Path:
        return Path("/tmp") / f"{self.marker}-victim"

    def assert_nothing_escaped(self, *roots: Path) -> None:
        """No payload at /tmp/<marker> nor anywhere below ``roots``, and the victim is intact."""
        assert not self.escape_target.exists(), f"{self.escape_target} was written"
        assert self.victim.read_bytes() == VICTIM_TEXT, "the hard-link victim was overwritten"
        for root in roots:
            found = [path for path in Path(root).rglob(f"{self.marker}*") if not path.is_symlink()]
            assert not found, f"escaped files: {found}"


@contextmanager
def hostile_archive(kind: str, directory: Path, name: str = "model.tar.gz") -> Iterator[HostileArchive]:
    """Write the archive of ``kind`` to ``directory/name``; the victim file lives while in the block."""
    build, expected = KINDS[kind]
    marker = f"sagemaker-hf-escape-{uuid.uuid4().hex}"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    with tarfile.open(path, "w:gz") as tar:
        _file(tar, "config.json", b'{"architectures": ["BertForSequenceClassification"]}')
        build(tar, marker)
    archive = HostileArchive(path, marker, expected)
    archive.victim.write_bytes(VICTIM_TEXT)
    try:
        yield archive
    finally:
        archive.victim.unlink(missing_ok=True)
        archive.escape_target.unlink(missing_ok=True)
