"""An update racing a delete leaves no orphan server (issue 16.9).

The race window is injected: right after ``update_endpoint`` has started the new config's
server, ``sagemaker-hf local rm`` (another process) deletes the endpoint. The update must
then fail *and* stop the server it started.
"""

from __future__ import annotations

import contextlib

import pytest
from botocore.exceptions import ClientError

from sagemaker_hf.local import endpoints, processes
from tests.local.conftest import deploy_echo, endpoint_record, error_code, local_cli


def _endpoint_processes(home, name: str) -> dict:
    folder = home.resolve() / "endpoints" / name
    return {
        pid: work_dir
        for pid, work_dir in processes.marked_processes(home).items()
        if folder in work_dir.parents
    }


def test_an_update_that_loses_a_race_with_rm_stops_its_new_server(
    local_session, local_home, tmp_path, monkeypatch
):
    client = local_session.sagemaker_client
    deploy_echo(local_session, tmp_path / "code", "raced")
    config_name = endpoint_record(local_session, "raced").current.config_name
    model_name = client.describe_endpoint_config(EndpointConfigName=config_name)["ProductionVariants"][0][
        "ModelName"
    ]
    config = client.describe_endpoint_config(EndpointConfigName=config_name)
    client.create_endpoint_config(
        EndpointConfigName="raced-v2", ProductionVariants=config["ProductionVariants"]
    )
    started = []
    real_start = endpoints.start

    def start_then_lose_the_race(*args, **kwargs):
        deployment, failure = real_start(*args, **kwargs)
        started.append(deployment)
        removed = local_cli("rm", "raced")
        assert removed.returncode == 0, removed.stderr
        return deployment, failure

    monkeypatch.setattr(endpoints, "start", start_then_lose_the_race)
    try:
        with pytest.raises(ClientError) as raised:
            client.update_endpoint(EndpointName="raced", EndpointConfigName="raced-v2")
        assert error_code(raised.value) == "ValidationException"
        assert "Could not find endpoint" in str(raised.value)
        new_process = started[0].process
        assert new_process is not None
        assert not processes.is_running(new_process.pid, new_process.identity)
        assert _endpoint_processes(local_home, "raced") == {}
        assert not started[0].work_dir.exists()
    finally:
        monkeypatch.undo()
        with contextlib.suppress(ClientError):
            client.delete_endpoint(EndpointName="raced")
        client.delete_endpoint_config(EndpointConfigName="raced-v2")
        client.delete_endpoint_config(EndpointConfigName=config_name)
        client.delete_model(ModelName=model_name)


def test_a_create_that_loses_the_name_stops_its_server(local_session, local_home, tmp_path, monkeypatch):
    """Two creates of one name: the loser's server is stopped (the name is checked again under the lock)."""
    client = local_session.sagemaker_client
    winner = deploy_echo(local_session, tmp_path / "code", "contested")
    config_name = endpoint_record(local_session, "contested").current.config_name
    started = []
    real_start = endpoints.start

    def start_while_the_name_is_free(*args, **kwargs):
        deployment, failure = real_start(*args, **kwargs)
        started.append(deployment)
        return deployment, failure

    monkeypatch.setattr(endpoints, "start", start_while_the_name_is_free)
    # The first check passes as if the name were still free: the race window.
    monkeypatch.setattr(type(client.registry), "same_name", _free_once(type(client.registry).same_name))
    try:
        with pytest.raises(ClientError, match="Cannot create already existing endpoint"):
            client.create_endpoint(EndpointName="CONTESTED", EndpointConfigName=config_name)
        assert not processes.is_running(started[0].process.pid, started[0].process.identity)
        assert set(_endpoint_processes(local_home, "CONTESTED")) == set()
        assert endpoint_record(local_session, "contested") is not None  # the winner is untouched
    finally:
        monkeypatch.undo()
        winner.delete_endpoint()


def _free_once(same_name):
    calls = []

    def patched(self, kind, name):
        calls.append(name)
        return None if len(calls) == 1 else same_name(self, kind, name)

    return patched
