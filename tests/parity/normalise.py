"""Make one side's record comparable with the other's: what differs on every run goes.

Generated names keep their base and lose their timestamp (``model-2025-01-01-12-00-00-123``
→ ``model-<ts>``); uuids become ``<uuid>``, datetimes ``<datetime>``, the scenario's folder
``<work>`` and temporary folders ``<tmp>``; a bucket root loses its trailing slash.
Bodies become something readable: text stays text, a ``.tar.gz`` becomes its member
files with a hash of each, other bytes their size and hash. Standard library only: it runs in both venvs.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import tarfile
from typing import Any

_PATTERNS = [
    # SDK v2's unique_name_from_base: the base trimmed to fit (often mid-timestamp), then
    # epoch seconds and four hex digits: "model-2025-01-01-12-00--1735732800-3a71".
    (re.compile(r"(-\d[\d-]*)?-\d{10}-[0-9a-f]{4}(?![0-9a-z])"), "-<ts>"),
    # name_from_base(short=True): the trimmed base, then %y%m%d-%H%M.
    (re.compile(r"(-\d[\d-]*)?-\d{6}-\d{4}(?!\d)"), "-<ts>"),
    # ISO 8601 timestamps, then SDK name suffixes (%Y-%m-%d-%H-%M-%S with or without -%f[:3]),
    # then compact forms (%Y%m%d-%H%M%S, %Y%m%dT%H%M%S).
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?"), "<ts>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}(-\d{3})?"), "<ts>"),
    (re.compile(r"\d{8}[-T]\d{6}"), "<ts>"),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
]
_BUCKET_ROOT = re.compile(r"s3://[^/]+/")


class Normaliser:
    def __init__(self, work: str, tmp_root: str) -> None:
        self.work = work
        self.tmp = re.compile(re.escape(tmp_root.rstrip("/")) + r"/[^/'\"\s]+")

    def text(self, value: str) -> str:
        if _BUCKET_ROOT.fullmatch(value):
            return value.rstrip("/")  # "s3://bucket/" and "s3://bucket" name the same place
        value = value.replace(self.work, "<work>")
        value = self.tmp.sub("<tmp>", value)
        for pattern, replacement in _PATTERNS:
            value = pattern.sub(replacement, value)
        return value

    def __call__(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {self.text(str(key)): self(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self(item) for item in value]
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, bytes | bytearray):
            return self.body(bytes(value))
        if isinstance(value, datetime.datetime | datetime.date):
            return "<datetime>"
        if value is None or isinstance(value, bool | int | float):
            return value
        return f"<{type(value).__name__}>"

    def body(self, data: bytes) -> Any:
        if data[:2] == b"\x1f\x8b":
            members = tar_members(data)
            if members is not None:
                return {"tar.gz": members}
        try:
            return self.text(data.decode("utf-8"))
        except UnicodeDecodeError:
            return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()[:16]}


def tar_members(data: bytes) -> dict[str, str] | None:
    """The files of a gzipped tar: name (without a leading ``./``) → hash of the content."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            members = {}
            for member in tar.getmembers():
                if member.isfile():
                    content = tar.extractfile(member).read()  # type: ignore[union-attr]
                    name = member.name[2:] if member.name.startswith("./") else member.name
                    members[name] = hashlib.sha256(content).hexdigest()[:12]
            return dict(sorted(members.items()))
    except (tarfile.TarError, OSError, EOFError):
        return None
