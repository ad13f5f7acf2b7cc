"""What local mode needs to know: made once by ``LocalSession`` and passed down explicitly.

:func:`local_mode_settings` is local mode's only reader of environment variables
(``SAGEMAKER_HF_LOCAL_HOME``, ``SAGEMAKER_HF_LOCAL_STARTUP_TIMEOUT`` and ``XDG_CACHE_HOME``).
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.local.mode import LOCAL_ACCOUNT_ID

LOCAL_HOME_VARIABLE = "SAGEMAKER_HF_LOCAL_HOME"
LOCAL_STARTUP_TIMEOUT_VARIABLE = "SAGEMAKER_HF_LOCAL_STARTUP_TIMEOUT"
DEFAULT_LOCAL_STARTUP_TIMEOUT_SECONDS = 600.0  # a Hub download can be slow


class LocalModeSettings(BaseModel):
    """Where local mode keeps its state, and how long an endpoint may take to start.

    ``home`` holds ``registry/`` (the records), ``endpoints/`` (each endpoint's working
    directory, extracted model and ``server.log``) and ``artifacts/`` (default
    ``file://`` locations, such as packed models and async results).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    home: Path
    region: str = "us-east-1"
    account_id: str = LOCAL_ACCOUNT_ID
    startup_timeout_seconds: float = Field(600.0, gt=0, description="until /ping must answer 200")
    stop_timeout_seconds: float = Field(30.0, gt=0, description="SIGTERM, then SIGKILL after this")

    @property
    def registry_dir(self) -> Path:
        return self.home / "registry"

    @property
    def endpoints_dir(self) -> Path:
        return self.home / "endpoints"

    @property
    def artifacts_dir(self) -> Path:
        return self.home / "artifacts"


def local_mode_settings(
    region: str, local_home: str | Path | None, startup_timeout: float | None
) -> LocalModeSettings:
    """Local mode's settings: the arguments given, else the environment, else the defaults."""
    if local_home is None:
        local_home = os.environ.get(LOCAL_HOME_VARIABLE) or None
    if local_home is None:
        cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        local_home = Path(cache) / "sagemaker-hf" / "local"
    if startup_timeout is None:
        text = os.environ.get(LOCAL_STARTUP_TIMEOUT_VARIABLE, "").strip()
        try:
            startup_timeout = float(text) if text else DEFAULT_LOCAL_STARTUP_TIMEOUT_SECONDS
        except ValueError:
            raise ConfigurationError(
                f"{LOCAL_STARTUP_TIMEOUT_VARIABLE}={text!r} is not a number of seconds; set it to e.g. 600."
            ) from None
    if startup_timeout <= 0:
        raise ConfigurationError(f"startup_timeout={startup_timeout} must be a positive number of seconds.")
    return LocalModeSettings(
        home=Path(local_home).expanduser().resolve(),
        region=region,
        account_id=LOCAL_ACCOUNT_ID,
        startup_timeout_seconds=startup_timeout,
    )
