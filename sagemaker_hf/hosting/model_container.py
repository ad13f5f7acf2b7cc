"""CreateModel's request: the container (its environment, image and model data), and the call that
reuses an existing model."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sagemaker_hf import storage
from sagemaker_hf.artifacts import CONTAINER_CODE_DIR, MODEL_ARCHIVE_NAME, CodeSpec, prepare_model_data
from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.hosting.model_source import resolve_model_data_source, with_access_config

if TYPE_CHECKING:  # pragma: no cover
    from sagemaker_hf.hosting.model import HuggingFaceModel

logger = logging.getLogger(__name__)

_EXISTING_MODEL_MESSAGE = "Cannot create already existing model"


def check_env(env: dict[str, str] | None) -> dict[str, str]:
    """``env`` as a new dict whose values are all strings (SageMaker would refuse others later)."""
    env = dict(env or {})
    for key, value in env.items():
        if not isinstance(value, str):
            raise ConfigurationError(
                f"env[{key!r}]={value!r} is a {type(value).__name__}; container environment values must be "
                f"strings, e.g. env={{{key!r}: {str(value)!r}}}."
            )
    return env


def container_environment(
    code: CodeSpec | None,
    container_log_level: int,
    model_server_workers: int | None,
    region: str,
    env: dict[str, str],
) -> dict[str, str]:
    """The framework variables SDK v2 set, then the user's ``env`` on top."""
    framework = {
        "SAGEMAKER_PROGRAM": code.script_name if code else "",
        "SAGEMAKER_SUBMIT_DIRECTORY": CONTAINER_CODE_DIR if code else "",
        "SAGEMAKER_CONTAINER_LOG_LEVEL": str(container_log_level),
        "SAGEMAKER_REGION": region,
    }
    if model_server_workers:
        framework["SAGEMAKER_MODEL_SERVER_WORKERS"] = str(model_server_workers)
    # The user's own values win (SDK v2 overwrote SAGEMAKER_PROGRAM & co., issue #3361).
    return {**framework, **env}


def container_definition(
    model: HuggingFaceModel,
    session: Any,
    image_uri: str,
    model_name: str,
    accept_eula: bool | None,
) -> dict[str, Any]:
    """``PrimaryContainer``: environment, image, model data (packed and uploaded if needed)."""
    environment = container_environment(
        model.code, model.container_log_level, model.model_server_workers, session.boto_region_name, model.env
    )
    container: dict[str, Any] = {"Image": image_uri, "Environment": environment}
    if isinstance(model.model_data, dict):
        container["ModelDataSource"] = resolve_model_data_source(session, model.model_data)
    else:
        model_data_url = model._model_data_url_for(session, model_name)
        if model_data_url is not None:
            container["ModelDataUrl"] = model_data_url
    if model.image_config:
        container["ImageConfig"] = model.image_config
    return with_access_config(container, accept_eula)


def model_data_url(model: HuggingFaceModel, session: Any, model_name: str) -> str | None:
    """``ModelDataUrl``: the model data where the service can read it, else packed (with the code)
    and uploaded below ``code_location`` or the default location; None without model data."""
    model_data = model.model_data if isinstance(model.model_data, str) else None
    url = None
    if model_data is not None and model.code is None:
        # None when the service cannot read it where it is (SageMaker reads only S3).
        url = session.direct_model_data_url(model_data)
    if model.code is not None or (model_data is not None and url is None):
        base = model.code_location or session.artifact_uri()
        destination = storage.join_uri(base, model_name, MODEL_ARCHIVE_NAME)
        url = upload_model_data(
            session, model_data, model.code, model.git_config, destination, model.model_kms_key
        )
    return url


def create_model(
    client: Any,
    name: str,
    role_arn: str,
    container: dict[str, Any],
    tags: list[dict[str, str]] | None,
    vpc_config: dict[str, Any] | None,
    enable_network_isolation: bool,
) -> None:
    """CreateModel with the optional fields only when set; an existing model of that name is reused."""
    from botocore.exceptions import ClientError

    request: dict[str, Any] = {"ModelName": name, "ExecutionRoleArn": role_arn, "PrimaryContainer": container}
    if tags:
        request["Tags"] = tags
    if vpc_config:
        request["VpcConfig"] = vpc_config
    if enable_network_isolation:
        request["EnableNetworkIsolation"] = True
    try:
        client.create_model(**request)
    except ClientError as error:
        if _EXISTING_MODEL_MESSAGE not in error.response["Error"].get("Message", ""):
            raise
        logger.info("Model %s already exists; reusing it.", name)


def upload_model_data(
    session: Any,
    model_data: str | None,
    code: CodeSpec | None,
    git_config: dict[str, str] | None,
    destination: str,
    kms_key: str | None,
) -> str | None:
    """The model data (and code) packed as needed and uploaded to ``destination``.

    With ``git_config`` the code's paths are inside the repository: it is cloned (as SDK v2
    did) for the time it takes to pack the code, then removed.
    """
    if git_config is None or code is None:
        return prepare_model_data(session, model_data, code, destination, kms_key)
    from sagemaker_hf._git import checkout

    with checkout(git_config, code.entry_point, code.source_dir, list(code.dependencies) or None) as paths:
        checked_out = CodeSpec(paths.entry_point, paths.source_dir, tuple(paths.dependencies or ()))
        checked_out.check()
        return prepare_model_data(session, model_data, checked_out, destination, kms_key)
