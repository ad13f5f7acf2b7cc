"""Read, write and list artifacts by URI, dispatching on the scheme, never on the mode.

``s3://bucket/key`` goes through ``session.s3_client``; ``file:///path`` and plain paths
go to the local disk. Local mode roots its default locations at ``file://…`` and uses
these same functions unchanged.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable
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


def same_s3_bucket(uri: str, other: str) -> bool:
    """Whether both are ``s3://`` URIs in the same bucket."""
    return is_s3(uri) and is_s3(other) and parse_s3_uri(uri).bucket == parse_s3_uri(other).bucket


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


def upload_arguments(
    session: Any, bucket: str, kms_key: str | None = None, built_archive: bool = False
) -> dict[str, str]:
    """The extra arguments of an S3 upload to ``bucket``: the one home of that rule.

    As SDK v2 sends them:

    - ``ServerSideEncryption="aws:kms"`` with ``SSEKMSKeyId`` whenever a KMS key is given;
    - ``ServerSideEncryption="aws:kms"`` (the AWS managed key) for an archive the SDK built
      and uploads itself (``sourcedir.tar.gz``, a packed or repacked ``model.tar.gz``:
      v2's ``encrypt_repacked_artifacts``), so bucket policies that demand KMS accept it;
    - ``ExpectedBucketOwner`` (our account) when ``bucket`` is the session's default bucket
      under the name the SDK chose, so a bucket of that predictable name squatted by
      another account is refused by S3 instead of receiving our data.
    """
    arguments: dict[str, str] = {}
    if kms_key:
        arguments.update(ServerSideEncryption="aws:kms", SSEKMSKeyId=kms_key)
    elif built_archive:
        arguments["ServerSideEncryption"] = "aws:kms"
    return {**arguments, **owner_arguments(session, bucket)}


def owner_arguments(session: Any, bucket: str) -> dict[str, str]:
    """``ExpectedBucketOwner`` for requests to the SDK-named default bucket (see above), else nothing."""
    owner = session.expected_bucket_owner(bucket)
    return {"ExpectedBucketOwner": owner} if owner else {}


def upload_file(
    session: Any,
    source: str | Path,
    uri: str,
    kms_key: str | None = None,
    stream: TextIO | None = None,
    built_archive: bool = False,
    extra_args: dict[str, Any] | None = None,
    callback: Callable[[int], Any] | None = None,
) -> str:
    """Copy the local file ``source`` to ``uri``; return ``uri``. Large uploads show progress.

    S3 uploads carry :func:`upload_arguments`, then ``extra_args`` (boto3's ``ExtraArgs``,
    as SDK v2's ``upload_data`` took them); ``callback`` gets the bytes sent, as boto3's.
    """
    if is_s3(uri):
        from sagemaker_hf.progress import TransferProgress

        location = parse_s3_uri(uri)
        arguments = {
            **upload_arguments(session, location.bucket, kms_key, built_archive),
            **(extra_args or {}),
        }
        progress = TransferProgress(f"Uploading {uri}", Path(source).stat().st_size, stream)

        def sent(count: int) -> None:
            progress.add(count)
            if callback is not None:
                callback(count)

        session.s3_client.upload_file(
            str(source), location.bucket, location.key, ExtraArgs=arguments or None, Callback=sent
        )
        progress.close()
    else:
        target = local_path(uri)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return uri


def upload_bytes(
    session: Any, data: bytes, uri: str, content_type: str | None = None, kms_key: str | None = None
) -> str:
    """Write ``data`` to ``uri``; return ``uri``."""
    if is_s3(uri):
        location = parse_s3_uri(uri)
        extra = upload_arguments(session, location.bucket, kms_key)
        if content_type:
            extra["ContentType"] = content_type
        session.s3_client.put_object(Bucket=location.bucket, Key=location.key, Body=data, **extra)
    else:
        target = local_path(uri)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written aside, then renamed: a reader polling for the file never sees half of it.
        partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial")
        partial.write_bytes(data)
        os.replace(partial, target)
    return uri


def upload_path(
    session: Any,
    source: str | Path,
    base_uri: str,
    kms_key: str | None = None,
    extra_args: dict[str, Any] | None = None,
    callback: Callable[[int], Any] | None = None,
) -> str:
    """Upload a file to ``base_uri/<name>``, or a directory's files below ``base_uri``.

    Returns the file's URI, or ``base_uri`` for a directory (as SDK v2's ``upload_data``).
    """
    source = Path(source)
    if source.is_file():
        files = [(source, join_uri(base_uri, source.name))]
    elif source.is_dir():
        files = [
            (path, join_uri(base_uri, path.relative_to(source).as_posix()))
            for path in sorted(p for p in source.rglob("*") if p.is_file())
        ]
    else:
        raise ConfigurationError(f"Cannot upload {str(source)!r}: no such file or directory.")
    for path, uri in files:
        upload_file(session, path, uri, kms_key=kms_key, extra_args=extra_args, callback=callback)
    return files[0][1] if source.is_file() else base_uri


def upload_data(
    session: Any,
    path: str | Path,
    bucket: str | None,
    key_prefix: str,
    extra_args: dict[str, Any] | None = None,
    callback: Callable[[int], Any] | None = None,
) -> str:
    """SDK v2's ``Session.upload_data``: ``path`` below ``s3://{bucket}/{key_prefix}``, by
    default the session's default bucket and prefix; returns the S3 URI (see :func:`upload_path`)."""
    if bucket:
        base = join_uri(f"s3://{bucket}", key_prefix)
    else:
        base = join_uri(f"s3://{session.default_bucket()}", session.default_bucket_prefix or "", key_prefix)
    return upload_path(session, path, base, extra_args=extra_args, callback=callback)


def read_bytes(session: Any, uri: str) -> bytes:
    """The whole content of ``uri``."""
    if is_s3(uri):
        location = parse_s3_uri(uri)
        owner = owner_arguments(session, location.bucket)
        response = session.s3_client.get_object(Bucket=location.bucket, Key=location.key, **owner)
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


def download_prefix(
    session: Any, uri: str, destination: str | Path, extra_args: dict[str, Any] | None = None
) -> list[str]:
    """Download every object below the ``s3://`` ``uri`` into the folder ``destination``.

    SDK v2's ``download_data`` rules: ``uri``'s key is a plain prefix (``data`` matches
    ``data/x`` and ``data.csv``); an object keeps its path relative to the prefix, except
    when the prefix looks like a file name (it has an extension) or is the object's whole
    key, where the object lands as its base name. Zero-byte ``folder/`` markers become
    folders. A path that would leave ``destination`` is refused. Returns the files
    written, in S3's key order.
    """
    location = parse_s3_uri(uri)
    root = Path(destination)
    owner = owner_arguments(session, location.bucket)
    paginator = session.s3_client.get_paginator("list_objects_v2")
    objects = [
        item
        for page in paginator.paginate(Bucket=location.bucket, Prefix=location.key, **owner)
        for item in page.get("Contents", [])
    ]
    written = []
    for item in objects:
        key = item["Key"]
        target = root / _relative_download_path(location.key, key)
        if not target.resolve().is_relative_to(root.resolve()):
            raise ConfigurationError(
                f"S3 object {key!r} would be written to {str(target)!r}, outside {str(root)!r}; "
                f"download a prefix that ends with '/' (e.g. {uri.rstrip('/')}/)."
            )
        if key.endswith("/") and item.get("Size", 0) == 0:
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        arguments = {**(extra_args or {}), **owner}
        session.s3_client.download_file(location.bucket, key, str(target), ExtraArgs=arguments or None)
        written.append(str(target))
    return written


def _relative_download_path(prefix: str, key: str) -> str:
    if key == prefix or os.path.splitext(prefix)[1]:
        return key.rstrip("/").rsplit("/", 1)[-1]
    if not prefix:
        return key
    return os.path.relpath(key, prefix) + ("/" if key.endswith("/") else "")


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
