"""Helpers for the local-mode tests (fixtures live in tests/fixtures/local_mode.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from sagemaker_hf.local.registry import EndpointRecord


def local_cli(*arguments: str) -> subprocess.CompletedProcess:
    """``sagemaker-hf local ARGUMENTS`` in a separate process: it knows the endpoints only through
    the registry on disk."""
    return subprocess.run(
        [sys.executable, "-m", "sagemaker_hf.cli", "local", *arguments],
        capture_output=True,
        text=True,
        timeout=180,
        env=os.environ.copy(),
    )


def wait_in_service(session: Any, endpoint_name: str) -> dict[str, Any]:
    """Poll DescribeEndpoint the way deploy(wait=True) does; the description once InService."""
    from sagemaker_hf.waiting import ENDPOINT, ENDPOINT_BACKOFF, wait_for_resource

    client = session.sagemaker_client
    return wait_for_resource(
        lambda: client.describe_endpoint(EndpointName=endpoint_name),
        ENDPOINT,
        endpoint_name,
        backoff=ENDPOINT_BACKOFF,
    )


def deploy_echo(
    session: Any, code_dir: Path, endpoint_name: str, wait: bool = True, **deploy_options: Any
) -> Any:
    """An endpoint serving :data:`ECHO_CODE` (loads at once, no transformers); its predictor."""
    from sagemaker_hf import HuggingFaceModel
    from tests.fixtures.local_mode import LOCAL_VERSIONS

    model = HuggingFaceModel(
        entry_point="inference.py",
        source_dir=str(write_code(code_dir, ECHO_CODE)),
        sagemaker_session=session,
        **LOCAL_VERSIONS,
    )
    return model.deploy(
        initial_instance_count=1,
        instance_type="local",
        endpoint_name=endpoint_name,
        wait=wait,
        **deploy_options,
    )


def endpoint_record(session: Any, endpoint_name: str) -> EndpointRecord | None:
    return session.sagemaker_client.registry.load(EndpointRecord, endpoint_name)


def error_code(error: Any) -> str:
    return error.response["Error"]["Code"]


def write_code(directory: Path, source: str, name: str = "inference.py") -> Path:
    """A source_dir holding ``name`` with ``source`` (dedented)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(textwrap.dedent(source))
    return directory


# User code that loads in well under a second (no transformers): the label names from
# config.json, and an answer that shows which code version served the request.
LABELS_CODE = """
    import json
    import os

    VERSION = "{version}"

    def model_fn(model_dir):
        with open(os.path.join(model_dir, "config.json")) as handle:
            return sorted(json.load(handle)["id2label"].values())

    def predict_fn(data, labels):
        return {{"version": VERSION, "labels": labels, "echo": data}}
"""

ECHO_CODE = """
    def model_fn(model_dir):
        return "ready"

    def predict_fn(data, model):
        return {"echo": data}
"""
