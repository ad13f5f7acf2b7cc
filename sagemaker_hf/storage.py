"""Read, write and list artifacts by URI, dispatching on the scheme, never on the mode.

``s3://bucket/key`` goes through ``session.s3_client``; ``file:///path`` and plain paths
go to the local disk. Local mode roots its default locations at ``file://…`` and uses
these same functions unchanged.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from sagemaker_hf.errors import ConfigurationError

_NOT_FOUND_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


@dataclass(frozen=True)
class S3Location:
    bucket: str
    key: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def parse_s3_uri(uri: str) -> S3Location:
    """Split ``s3://bucket/key`` into bucket and key."""
    if not uri.startswith("s3://"):
        raise ConfigurationError(f"{uri!r} is not an S3 URI; expected s3://<bucket>/<key>.")
    bucket, _, key = uri[len("s3://") :].partition("/")
    if not bucket:
        raise ConfigurationError(f"{uri!r} has no bucket; expected s3://<bucket>/<key>.")
    return S3Location(bucket, key)


def is_s3(uri: str | Path) -> bool:
    return isinstance(uri, str) and uri.startswith("s3://")


def local_path(uri: str | Path) -> Path:
    """The disk path of a ``file://`` URI or plain path."""
    text = str(uri)
    if "://" in text and not text.startswith("file://"):
        raise ConfigurationError(f"Unsupported URI scheme in {text!r}: use s3://, file:// or a local path.")
    return Path(text[len("file://") :] if text.startswith("file://") else text)


def join_uri(base: str, *parts: str) -> str:
    """``base`` and ``parts`` joined with single slashes (for s3://, file:// and paths)."""
    pieces = [base.rstrip("/"), *(part.strip("/") for part in parts)]
    return "/".join(piece for piece in pieces if piece)


def upload_file(
    session: Any, source: str | Path, uri: str, kms_key: str | None = None, stream: TextIO | None = None
) -> str:
    """Copy the local file ``source`` to ``uri``; return ``uri``. Large uploads show progress."""
    if is_s3(uri):
        from sagemaker_hf.waiting import TransferProgress

        location = parse_s3_uri(uri)
        extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key} if kms_key else None
        progress = TransferProgress(f"Uploading {uri}", Path(source).stat().st_size, stream)
        session.s3_client.upload_file(
            str(source), location.bucket, location.key, ExtraArgs=extra, Callback=progress.add
        )
        progress.close()
    else:
        target = local_path(uri)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return uri


def upload_bytes(session: Any, data: bytes, uri: str, content_type: str | None = None) -> str:
    """Write ``data`` to ``uri``; return ``uri``."""
    if is_s3(uri):
        location = parse_s3_uri(uri)
        extra = {"ContentType": content_type} if content_type else {}
        session.s3_client.put_object(Bucket=location.bucket, Key=location.key, Body=data, **extra)
    else:
        target = local_path(uri)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written aside, then renamed: a reader polling for the file never sees half of it.
        partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial")
        partial.write_bytes(data)
        os.replace(partial, target)
    return uri


def upload_path(session: Any, source: str | Path, base_uri: str) -> str:
    """Upload a file to ``base_uri/<name>``, or a directory's files below ``base_uri``."""
    source = Path(source)
    if source.is_file():
        return upload_file(session, source, join_uri(base_uri, source.name))
    if not source.is_dir():
        raise ConfigurationError(f"Cannot upload {str(source)!r}: no such file or directory.")
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        upload_file(session, path, join_uri(base_uri, path.relative_to(source).as_posix()))
    return base_uri


def read_bytes(session: Any, uri: str) -> bytes:
    """The whole content of ``uri``."""
    if is_s3(uri):
        location = parse_s3_uri(uri)
        response = session.s3_client.get_object(Bucket=location.bucket, Key=location.key)
        with response["Body"] as body:
            return body.read()
    return local_path(uri).read_bytes()


def exists(session: Any, uri: str) -> bool:
    """Whether an object (or file) exists at ``uri``."""
    if not is_s3(uri):
        return local_path(uri).is_file()
    from botocore.exceptions import ClientError

    location = parse_s3_uri(uri)
    try:
        session.s3_client.head_object(Bucket=location.bucket, Key=location.key)
    except ClientError as error:
        if error.response["Error"]["Code"] in _NOT_FOUND_CODES:
            return False
        raise
    return True


def download_file(session: Any, uri: str, destination: str | Path) -> Path:
    """Copy ``uri`` to the local file ``destination``; return its path."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    if is_s3(uri):
        location = parse_s3_uri(uri)
        session.s3_client.download_file(location.bucket, location.key, str(destination))
    else:
        shutil.copyfile(local_path(uri), destination)
    return destination


def list_uris(session: Any, prefix: str) -> list[str]:
    """Every object below ``prefix``, as URIs of the same kind, sorted."""
    if is_s3(prefix):
        location = parse_s3_uri(prefix)
        paginator = session.s3_client.get_paginator("list_objects_v2")
        keys = [
            item["Key"]
            for page in paginator.paginate(Bucket=location.bucket, Prefix=location.key)
            for item in page.get("Contents", [])
        ]
        return sorted(f"s3://{location.bucket}/{key}" for key in keys)
    root = local_path(prefix)
    if root.is_file():
        return [prefix]
    scheme = "file://" if str(prefix).startswith("file://") else ""
    return sorted(f"{scheme}{path}" for path in root.rglob("*") if path.is_file())
