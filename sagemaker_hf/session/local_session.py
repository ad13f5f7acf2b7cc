"""Local mode's session, and the one place that decides whether a call runs locally.

:class:`LocalSession` overrides exactly the members of
:class:`~sagemaker_hf.session.base.SessionSeam`: its ``sagemaker`` and ``sagemaker-runtime``
clients are :mod:`sagemaker_hf.local`'s, and it needs no role, no account and no bucket.
:func:`session_for_instance_type` is the decision, from the instance type alone; nothing
above the seam asks again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sagemaker_hf._validation import checked_arguments
from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.local import mode
from sagemaker_hf.local.mode import LOCAL_INSTANCE_TYPES
from sagemaker_hf.session.base import Session, new_boto_session


class LocalSession(Session):
    """Local mode: endpoints are toolkit processes on this machine; no Docker, no AWS account.

    Only the ``sagemaker`` and ``sagemaker-runtime`` clients are local; S3 stays real
    boto3, used only when a URI says ``s3://``. No role is needed (create calls carry
    ``sagemaker_hf.local.mode.LOCAL_ROLE_ARN`` unless you pass one); default artifacts go to
    ``file://<local home>/artifacts/...``; a local model directory is served in place.

    Args:
        boto_session: a ``boto3.Session`` for ``s3://`` data.
        region_name: the region in ARNs and image URIs (default: configured, else us-east-1).
        local_home: registry, working directories, logs and artifacts; default
            ``$SAGEMAKER_HF_LOCAL_HOME``, else ``$XDG_CACHE_HOME/sagemaker-hf/local``.
        startup_timeout: seconds until ``/ping`` must answer 200; default
            ``$SAGEMAKER_HF_LOCAL_STARTUP_TIMEOUT``, else 600 (deploy()'s
            ``container_startup_health_check_timeout`` wins for its endpoint).
    """

    runs_images = False  # training runs the entry point in this Python environment

    @checked_arguments("LocalSession")
    def __init__(
        self,
        boto_session: Any = None,
        region_name: str | None = None,
        local_home: str | Path | None = None,
        startup_timeout: float | None = None,
    ) -> None:
        boto_session = boto_session if boto_session is not None else new_boto_session(region_name)
        if not (boto_session.region_name or region_name):
            region_name = mode.LOCAL_DEFAULT_REGION
        super().__init__(boto_session=boto_session, region_name=region_name)
        from sagemaker_hf.local.settings import local_mode_settings

        self.local_settings = local_mode_settings(self.boto_region_name, local_home, startup_timeout)

    def make_sagemaker_client(self) -> Any:
        from sagemaker_hf.local.client import LocalSageMakerClient

        return LocalSageMakerClient(self.local_settings, storage_session=self)

    def make_sagemaker_runtime_client(self) -> Any:
        from sagemaker_hf.local.runtime import LocalRuntimeClient

        return LocalRuntimeClient(self.local_settings, storage_session=self)

    def make_logs_client(self) -> Any:
        from sagemaker_hf.local.training.logs import LocalLogsClient

        return LocalLogsClient(self.local_settings)

    def account_id(self) -> str:
        return mode.LOCAL_ACCOUNT_ID

    def default_bucket(self) -> str:
        raise ConfigurationError(
            "LocalSession keeps default artifacts on disk (artifact_uri() gives file:// locations) and has "
            "no default bucket; pass bucket= explicitly, e.g. upload_data(path, bucket='my-bucket')."
        )

    def artifact_uri(self, *parts: str) -> str:
        """``file://<local home>/artifacts/{parts...}``."""
        from sagemaker_hf import storage

        return storage.join_uri(f"file://{self.local_settings.artifacts_dir}", *parts)

    def direct_model_data_url(self, model_data: str) -> str | None:
        """S3 URIs as given; a local directory or archive as a ``file://`` URI, used where it is."""
        from sagemaker_hf import storage
        from sagemaker_hf.artifacts import check_model_layout

        if storage.is_s3(model_data):
            return model_data
        path = storage.local_path(model_data).resolve()
        if path.is_dir():
            check_model_layout(path)
        return f"file://{path}"

    def direct_input_uri(self, path: str) -> str | None:
        """A local file or folder as a ``file://`` URI: local training reads it in place."""
        from sagemaker_hf import storage

        return f"file://{storage.local_path(path).resolve()}"

    def execution_role_arn(self, role: str | None, purpose: str) -> str:
        """The role as an ARN, never looked up; ``LOCAL_ROLE_ARN`` when there is none."""
        return mode.role_arn(role)


def session_for_instance_type(session: Session | None, instance_type: str | None) -> Session:
    """The session a call with ``instance_type`` runs on.

    ``"local"``, ``"local_gpu"`` and ``"local-gpu"`` run locally: the given session if it
    is a :class:`LocalSession`, else a new one (reusing the given session's boto3 session
    for ``s3://`` data). Everything else runs on ``session`` (or a new :class:`Session`).
    """
    local_type = LOCAL_INSTANCE_TYPES.get(instance_type or "")
    if local_type is None:
        return session or Session()
    from sagemaker_hf.local.processes import cuda_available

    if local_type == mode.LOCAL_GPU and not cuda_available():
        raise ConfigurationError(
            f"instance_type={instance_type!r} runs the endpoint on a local CUDA GPU, and torch sees none on "
            "this machine. Use instance_type='local' to run on the CPU."
        )
    if isinstance(session, LocalSession):
        return session
    return LocalSession(boto_session=session.boto_session if session is not None else None)
