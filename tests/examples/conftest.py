"""The context every example test gets: scratch folder, tiny models, the moto server's session
and queued results, and a role in ``SAGEMAKER_ROLE`` as a user's configuration would have."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.examples.runner import ExampleContext


@pytest.fixture
def example_context(
    tmp_path: Path, tiny_models: Any, moto_session: Any, moto_role_arn: str, moto_results: Any
) -> ExampleContext:
    return ExampleContext(
        scratch=tmp_path,
        tiny_models=tiny_models,
        session=moto_session,
        results=moto_results,
        env={"SAGEMAKER_ROLE": moto_role_arn},
    )
