"""The SDK's one seam to AWS: region, execution role, default bucket, and every client.

Every AWS client is made by :meth:`Session.client`, the standard boto3 way with no
explicit ``endpoint_url``, so profiles, ``AWS_ENDPOINT_URL`` /
``AWS_ENDPOINT_URL_<SERVICE>`` and retries all apply: the whole SDK can be pointed at
any SageMaker-compatible endpoint by configuration alone.

Local mode (:class:`~sagemaker_hf.session.local_session.LocalSession`) subclasses
:class:`Session` and overrides exactly the members of :class:`SessionSeam`, nothing else.

This is the SDK's only reader of environment variables (``AWS_REGION``; local mode's own
are read by :func:`sagemaker_hf.local.settings.local_mode_settings`); everything else is read
by boto3 itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from sagemaker_hf import __version__
from sagemaker_hf._validation import checked_arguments
from sagemaker_hf.errors import ConfigurationError

USER_AGENT = f"sagemaker-hf/{__version__}"

# SageMaker notebook instances and Studio write this file; it names the resource we run on.
NOTEBOOK_METADATA_PATH = Path("/opt/ml/metadata/resource-metadata.json")


class SessionSeam(Protocol):
    """What local mode changes of a session: the members :class:`LocalSession` overrides.

    The SDK's workflows use these (and the clients they make) on any session, and never ask
    which kind it is.
    """

    runs_images: bool  # whether the service runs the image a request names (not local mode)

    def make_sagemaker_client(self) -> Any: ...  # boto3's, or local mode's LocalSageMakerClient

    def make_sagemaker_runtime_client(self) -> Any: ...  # boto3's, or LocalRuntimeClient

    def make_logs_client(self) -> Any: ...  # CloudWatch Logs, or the local jobs' log files

    def account_id(self) -> str: ...  # STS's answer, or the placeholder account

    def default_bucket(self) -> str: ...  # created when missing; local mode has none

    def artifact_uri(self, *parts: str) -> str: ...  # s3://{default bucket}/..., or file://...

    def direct_model_data_url(self, model_data: str) -> str | None: ...  # usable in place, or None

    def direct_input_uri(self, path: str) -> str | None: ...  # a local channel read in place, or None

    def execution_role_arn(self, role: str | None, purpose: str) -> str: ...  # resolved, or a placeholder


class Session:
    """Region, role and bucket resolution plus lazily created AWS clients.

    Args:
        boto_session: a ``boto3.Session`` to use; by default one is created with the
            standard credential and region chain.
        sagemaker_client: a ready ``sagemaker`` client (otherwise made on first use).
        sagemaker_runtime_client: a ready ``sagemaker-runtime`` client.
        default_bucket: the bucket for default artifact locations; by default
            ``sagemaker-{region}-{account id}``, created when missing.
        default_bucket_prefix: a key prefix for every default artifact location.
        region_name: the region; otherwise ``AWS_REGION``, ``AWS_DEFAULT_REGION``, then
            the AWS config file.
    """

    notebook_metadata_path: Path = NOTEBOOK_METADATA_PATH
    # SageMaker pulls and runs the image a request names. Local mode runs the code in this
    # Python environment instead, so for it an image URI only records the versions.
    runs_images: bool = True

    @checked_arguments("Session")
    def __init__(
        self,
        boto_session: Any = None,
        sagemaker_client: Any = None,
        sagemaker_runtime_client: Any = None,
        default_bucket: str | None = None,
        default_bucket_prefix: str | None = None,
        region_name: str | None = None,
    ) -> None:
        self.boto_session = boto_session if boto_session is not None else new_boto_session(region_name)
        self.boto_region_name = _check_region(self.boto_session.region_name, region_name)
        self._clients: dict[str, Any] = {}
        if sagemaker_client is not None:
            self._clients["sagemaker"] = sagemaker_client
        if sagemaker_runtime_client is not None:
            self._clients["sagemaker-runtime"] = sagemaker_runtime_client
        self._requested_bucket = default_bucket
        self._verified_bucket: str | None = None
        self.default_bucket_prefix = (default_bucket_prefix or "").strip("/") or None
        self._account_id: str | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(region_name={self.boto_region_name!r})"

    @property
    def region_name(self) -> str:
        return self.boto_region_name

    # ---- clients ---------------------------------------------------------------------

    def client(self, service_name: str) -> Any:
        """A new boto3 client for ``service_name``, configured the standard way."""
        from botocore.config import Config

        # Threads sharing one client (a predictor under load) each keep a connection; botocore pools 10.
        config = Config(retries={"mode": "standard"}, user_agent_extra=USER_AGENT, max_pool_connections=64)
        return self.boto_session.client(service_name, config=config)

    def _cached(self, service_name: str, make: Any) -> Any:
        if service_name not in self._clients:
            self._clients[service_name] = make()
        return self._clients[service_name]

    # The seam (SessionSeam): local mode overrides make_*_client.
    def make_sagemaker_client(self) -> Any:
        return self.client("sagemaker")

    def make_sagemaker_runtime_client(self) -> Any:
        return self.client("sagemaker-runtime")

    @property
    def sagemaker_client(self) -> Any:
        return self._cached("sagemaker", self.make_sagemaker_client)

    @property
    def sagemaker_runtime_client(self) -> Any:
        return self._cached("sagemaker-runtime", self.make_sagemaker_runtime_client)

    @property
    def s3_client(self) -> Any:
        return self._cached("s3", lambda: self.client("s3"))

    @property
    def iam_client(self) -> Any:
        return self._cached("iam", lambda: self.client("iam"))

    @property
    def sts_client(self) -> Any:
        return self._cached("sts", lambda: self.client("sts"))

    @property
    def autoscaling_client(self) -> Any:
        return self._cached("application-autoscaling", lambda: self.client("application-autoscaling"))

    # Training logs are read through CloudWatch Logs' API shape; local mode reads its own files.
    def make_logs_client(self) -> Any:
        return self.client("logs")

    @property
    def logs_client(self) -> Any:
        return self._cached("logs", self.make_logs_client)

    # ---- account, bucket, default locations ------------------------------------------

    def account_id(self) -> str:
        """The caller's AWS account id (one STS call, then cached)."""
        if self._account_id is None:
            self._account_id = self.sts_client.get_caller_identity()["Account"]
        return self._account_id

    def default_bucket(self) -> str:
        """``sagemaker-{region}-{account}`` (or the bucket given), created when missing."""
        if self._verified_bucket is None:
            from sagemaker_hf.session import account

            name = self._requested_bucket or f"sagemaker-{self.boto_region_name}-{self.account_id()}"
            owner = None if self._requested_bucket else self.account_id()
            account.ensure_bucket(self.s3_client, name, self.boto_region_name, expected_owner=owner)
            self._verified_bucket = name
        return self._verified_bucket

    def expected_bucket_owner(self, bucket: str) -> str | None:
        """Our account id when ``bucket`` is the default bucket under the name the SDK chose.

        S3 requests to that bucket carry it as ``ExpectedBucketOwner`` (as in SDK v2): the
        name is predictable, so another account could own a bucket of that name. A bucket
        you named yourself may be another account's on purpose, and gets None. Passive: it
        never resolves or creates the default bucket.
        """
        if self._requested_bucket is None and bucket == self._verified_bucket:
            return self.account_id()
        return None

    def artifact_uri(self, *parts: str) -> str:
        """A default artifact location: ``s3://{default bucket}/{prefix}/{parts...}``."""
        keys = [self.default_bucket_prefix, *(part.strip("/") for part in parts)]
        return "s3://" + "/".join([self.default_bucket(), *(key for key in keys if key)])

    def direct_model_data_url(self, model_data: str) -> str | None:
        """The ``ModelDataUrl`` that lets the service read ``model_data`` where it is, or None
        when it must be uploaded first (SageMaker reads model data only from S3)."""
        from sagemaker_hf import storage

        return model_data if storage.is_s3(model_data) else None

    def direct_input_uri(self, path: str) -> str | None:
        """The channel URI that lets a training job read the local ``path`` (a path or
        ``file://`` URI) where it is, or None when it must be uploaded first (SageMaker
        reads training input only from S3)."""
        del path
        return None

    @checked_arguments("Session.upload_data")
    def upload_data(
        self,
        path: str | Path,
        bucket: str | None = None,
        key_prefix: str = "data",
        callback: Callable[[int], Any] | None = None,
        extra_args: dict[str, Any] | None = None,
    ) -> str:
        """Upload a local file or directory (SDK v2's ``Session.upload_data``); return its S3 URI.

        ``s3://{bucket}/{key_prefix}/{file name}`` for a file, ``s3://{bucket}/{key_prefix}``
        for a directory (its files keep their relative paths). Without ``bucket``: the
        default bucket, below ``default_bucket_prefix``. ``extra_args`` are boto3's
        ``ExtraArgs`` (e.g. ``{"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key}``);
        ``callback`` gets the bytes sent.
        """
        from sagemaker_hf import storage

        return storage.upload_data(self, path, bucket, key_prefix, extra_args=extra_args, callback=callback)

    @checked_arguments("Session.logs_for_job")
    def logs_for_job(
        self,
        job_name: str,
        wait: bool = False,
        poll: float = 10,
        log_type: str | bool = "All",
        timeout: float | None = None,
    ) -> None:
        """Print a training job's log; with ``wait``, follow it until the job ends (SDK v2's).

        See :func:`sagemaker_hf.training.logs.logs_for_job`.
        """
        from sagemaker_hf.training.logs import logs_for_job

        logs_for_job(self, job_name, wait, poll, log_type, timeout)

    # ---- roles -----------------------------------------------------------------------

    def execution_role_arn(self, role: str | None, purpose: str) -> str:
        """The role ARN a create call sends; ``None`` is an error (local mode overrides this)."""
        if role is None:
            from sagemaker_hf.session.account import ROLE_HELP

            raise ConfigurationError(
                f"Role can not be null for {purpose}: SageMaker needs an IAM role. {ROLE_HELP}"
            )
        return self.resolve_role(role)

    def resolve_role(self, role: str | None = None) -> str:
        """A full ARN is kept, a role name is expanded through IAM, ``None`` is discovered.

        Discovery order: the SageMaker notebook instance's role, the Studio user profile
        or domain execution role, then the current identity when it is an assumed role.
        """
        from sagemaker_hf.session import account

        if role is not None:
            return role if role.startswith("arn:") else account.role_arn_from_name(self.iam_client, role)
        discovered = account.role_from_notebook(self.notebook_metadata_path, lambda: self.sagemaker_client)
        return discovered or account.role_from_caller_identity(self.sts_client, self.iam_client)


def new_boto_session(region_name: str | None) -> Any:
    import boto3

    # botocore reads AWS_DEFAULT_REGION and the config file; AWS_REGION (the variable the
    # AWS SDKs and Lambda use) goes first.
    return boto3.Session(region_name=region_name or os.environ.get("AWS_REGION") or None)


def _check_region(session_region: str | None, requested: str | None) -> str:
    if requested and session_region and requested != session_region:
        raise ConfigurationError(
            f"region_name={requested!r} conflicts with the boto_session's region {session_region!r}; "
            "pass only one of them."
        )
    region = session_region or requested
    if not region:
        raise ConfigurationError(
            "No AWS region is configured. Pass Session(region_name='us-east-1'), set AWS_REGION "
            "or AWS_DEFAULT_REGION, or run `aws configure set region <region>`."
        )
    return region


@checked_arguments("get_execution_role")
def get_execution_role(sagemaker_session: Session | None = None, use_default: bool = False) -> str:
    """The IAM role ARN of the SageMaker notebook / Studio / assumed-role identity we run as.

    Outside SageMaker, as a plain IAM user, it raises
    :class:`~sagemaker_hf.errors.RoleNotFoundError`, a ``ValueError`` as in SDK v2, so the
    Hugging Face Hub's ``try: ... except ValueError: role = iam.get_role(...)`` works.
    ``use_default=True`` (v2 then created and used ``AmazonSageMaker-DefaultRole``) is
    refused in that case with the same error: a role with full SageMaker access is not
    created behind your back; create it once with IAM and pass it.
    """
    from sagemaker_hf.errors import RoleNotFoundError

    try:
        return (sagemaker_session or Session()).resolve_role(None)
    except RoleNotFoundError as error:
        if use_default:
            raise RoleNotFoundError(
                f"{error} use_default=True is not supported: create the role once (e.g. "
                "AmazonSageMaker-DefaultRole with AmazonSageMakerFullAccess) and pass its name or ARN."
            ) from error
        raise
