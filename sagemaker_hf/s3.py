"""SDK v2's ``sagemaker.s3`` helpers: ``from sagemaker_hf.s3 import S3Uploader, S3Downloader``.

The same signatures, return values and key layout as v2, built on :mod:`sagemaker_hf.storage`
(so uploads carry the same encryption and ``ExpectedBucketOwner`` arguments as every
other upload of the SDK). Where v2 had a defect, we differ, and docs/migration.md says so:

- a prefix with a trailing slash (``s3://bucket/data/``) or a bare bucket
  (``s3://bucket``) gives keys ``data/file`` and ``file``; v2 made ``data//file`` and
  ``/file`` (an empty folder name in the key);
- ``S3Downloader.download(..., kms_key=...)`` ignores the key with a warning: S3 decrypts
  SSE-KMS objects by itself, and v2 sent the key as an SSE-C customer key, which S3
  refuses for KMS-encrypted objects;
- downloading a whole bucket (``s3://bucket``) works (v2 failed in ``os.path.relpath``).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sagemaker_hf import storage
from sagemaker_hf._validation import checked_arguments, warn_ignored_arguments

__all__ = ["S3Downloader", "S3Uploader", "parse_s3_url", "s3_path_join"]

_REPEATED_SLASHES = re.compile(r"/{2,}")


@checked_arguments("parse_s3_url")
def parse_s3_url(url: str) -> tuple[str, str]:
    """``s3://bucket/key`` -> ``("bucket", "key")``; anything else is a ``ValueError``."""
    location = storage.parse_s3_uri(url)
    return location.bucket, location.key.lstrip("/")


def s3_path_join(*args: str | None, with_end_slash: bool = False) -> str:
    """Join S3 path parts with single slashes, as SDK v2's ``s3_path_join``.

    ``None`` and empty parts are skipped, a leading ``s3://`` is kept, repeated slashes are
    collapsed, and leading and trailing slashes are dropped (``with_end_slash=True`` keeps
    one at the end of a non-empty path): ``s3_path_join("s3://", "bucket/", "/a//b/")`` is
    ``"s3://bucket/a/b"``.
    """
    for part in args:
        if part is not None and not isinstance(part, str):
            from sagemaker_hf.errors import ArgumentTypeError

            raise ArgumentTypeError(
                f"s3_path_join(...): got {type(part).__name__} {part!r}; expected str or None."
            )
    joined = "/".join(part for part in args if part)
    scheme = "s3://" if joined.startswith("s3://") else ""
    path = _REPEATED_SLASHES.sub("/", joined[len(scheme) :]).strip("/")
    if with_end_slash and path:
        path += "/"
    return scheme + path


def _session(sagemaker_session: Any) -> Any:
    if sagemaker_session is not None:
        return sagemaker_session
    from sagemaker_hf.session import Session

    return Session()


def _bucket_and_key(uri: str) -> tuple[str, str]:
    location = storage.parse_s3_uri(uri)
    return location.bucket, location.key


class S3Uploader:
    """Upload files, folders, strings and bytes to S3 (SDK v2's static methods)."""

    @staticmethod
    @checked_arguments("S3Uploader.upload")
    def upload(
        local_path: str | Path,
        desired_s3_uri: str,
        kms_key: str | None = None,
        sagemaker_session: Any = None,
        callback: Callable[[int], Any] | None = None,
    ) -> str:
        """Upload a file or a folder below the prefix ``desired_s3_uri``.

        Returns ``{desired_s3_uri}/{file name}`` for a file and ``desired_s3_uri`` for a
        folder, whose files keep their relative paths. ``kms_key`` encrypts the objects
        with SSE-KMS under that key.
        """
        session = _session(sagemaker_session)
        bucket, prefix = _bucket_and_key(desired_s3_uri)
        base = storage.join_uri(f"s3://{bucket}", prefix)
        source = Path(local_path)
        uploaded = storage.upload_path(session, source, base, kms_key=kms_key, callback=callback)
        return uploaded if source.is_file() else desired_s3_uri

    @staticmethod
    @checked_arguments("S3Uploader.upload_string_as_file_body")
    def upload_string_as_file_body(
        body: str, desired_s3_uri: str, kms_key: str | None = None, sagemaker_session: Any = None
    ) -> str:
        """Write the string ``body`` (UTF-8) to the object ``desired_s3_uri``; return that URI."""
        storage.upload_bytes(
            _session(sagemaker_session), body.encode("utf-8"), desired_s3_uri, kms_key=kms_key
        )
        return desired_s3_uri

    @staticmethod
    @checked_arguments("S3Uploader.upload_bytes")
    def upload_bytes(
        b: bytes | io.BytesIO, s3_uri: str, kms_key: str | None = None, sagemaker_session: Any = None
    ) -> str:
        """Write ``b`` (bytes or a ``BytesIO``) to the object ``s3_uri``; return that URI."""
        data = b.getvalue() if isinstance(b, io.BytesIO) else b
        storage.upload_bytes(_session(sagemaker_session), data, s3_uri, kms_key=kms_key)
        return s3_uri


class S3Downloader:
    """Download, read and list S3 objects (SDK v2's static methods)."""

    @staticmethod
    @checked_arguments("S3Downloader.download")
    def download(
        s3_uri: str, local_path: str | Path, kms_key: str | None = None, sagemaker_session: Any = None
    ) -> list[str]:
        """Download the object ``s3_uri``, or every object below that prefix, into the folder
        ``local_path``; return the local paths written (see :func:`storage.download_prefix`)."""
        warn_ignored_arguments(
            "S3Downloader.download",
            {"kms_key": kms_key},
            "S3 decrypts SSE-KMS objects on read without it (SDK v2 sent it as an SSE-C key, which S3 "
            "refuses for KMS-encrypted objects).",
        )
        return storage.download_prefix(_session(sagemaker_session), s3_uri, local_path)

    @staticmethod
    @checked_arguments("S3Downloader.read_file")
    def read_file(s3_uri: str, sagemaker_session: Any = None) -> str:
        """The content of the object ``s3_uri``, decoded as UTF-8."""
        return S3Downloader.read_bytes(s3_uri, sagemaker_session).decode("utf-8")

    @staticmethod
    @checked_arguments("S3Downloader.read_bytes")
    def read_bytes(s3_uri: str, sagemaker_session: Any = None) -> bytes:
        """The content of the object ``s3_uri``."""
        storage.parse_s3_uri(s3_uri)  # an S3 URI, never a local path
        return storage.read_bytes(_session(sagemaker_session), s3_uri)

    @staticmethod
    @checked_arguments("S3Downloader.list")
    def list(s3_uri: str, sagemaker_session: Any = None) -> list[str]:
        """The URIs of every object whose key starts with ``s3_uri``'s key, in S3's order.

        Folder markers (``data/sub/``) are listed without their trailing slash, as in v2.
        """
        bucket, _ = _bucket_and_key(s3_uri)
        uris = storage.list_uris(_session(sagemaker_session), s3_uri)
        return [s3_path_join("s3://", bucket, uri[len(f"s3://{bucket}/") :]) for uri in uris]
