"""What local mode needs to know, decided by ``sagemaker_hf.session`` and passed down explicitly."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

LOCAL_ACCOUNT_ID = "000000000000"


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
