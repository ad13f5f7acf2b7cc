"""CreateModel's request: the container's environment, its model data, and the call that reuses an
existing model."""

from __future__ import annotations

import logging
from typing import Any

from sagemaker_hf.artifacts import CONTAINER_CODE_DIR, CodeSpec, prepare_model_data
from sagemaker_hf.errors import ConfigurationError

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
