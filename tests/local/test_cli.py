"""``sagemaker-hf local ls`` / ``local rm`` as separate processes, and stale-process detection."""

from __future__ import annotations

import contextlib
import os
import signal

from botocore.exceptions import ClientError

from sagemaker_hf import HuggingFaceModel
from sagemaker_hf.local import processes
from tests.fixtures.local_mode import LOCAL_VERSIONS
from tests.local.conftest import ECHO_CODE, endpoint_record, local_cli, wait_in_service, write_code


def _row(output: str, name: str) -> list[str]:
    return next(line.split() for line in output.splitlines() if line.startswith(name + " "))


def test_ls_shows_live_status_and_rm_cleans_up_stale_endpoints(local_session, local_home, tmp_path):
    code_dir = write_code(tmp_path / "code", ECHO_CODE)
    names = ("cli-alive", "cli-stale")
    for name in names:
        HuggingFaceModel(
            entry_point="inference.py",
            source_dir=str(code_dir),
            sagemaker_session=local_session,
            **LOCAL_VERSIONS,
        ).deploy(initial_instance_count=1, instance_type="local", endpoint_name=name, wait=False)
    try:
        for name in names:
            wait_in_service(local_session, name)
        listing = local_cli("ls")
        assert listing.returncode == 0, listing.stderr
        alive = _row(listing.stdout, "cli-alive")
        stale_process = endpoint_record(local_session, "cli-stale").current.process
        assert alive[1] == "InService" and alive[3].startswith("http://127.0.0.1:")
        assert _row(listing.stdout, "cli-stale")[2] == str(stale_process.pid)

        os.kill(stale_process.pid, signal.SIGKILL)  # a crash nobody cleaned up
        listing = local_cli("ls")
        stale = _row(listing.stdout, "cli-stale")
        assert stale[1] == "Failed" and "is no longer running" in listing.stdout
        assert _row(listing.stdout, "cli-alive")[1] == "InService"

        removed = local_cli("rm", "cli-stale")
        assert (removed.returncode, removed.stdout.strip()) == (0, "deleted cli-stale")
        assert endpoint_record(local_session, "cli-stale") is None
        assert not any(
            str(path).startswith(str(local_home / "endpoints" / "cli-stale"))
            for path in processes.marked_processes(local_home).values()
        )

        missing = local_cli("rm", "cli-stale")
        assert missing.returncode == 1 and "Could not find endpoint" in missing.stderr
        assert local_cli("rm").returncode == 2

        everything = local_cli("rm", "--all")
        assert everything.returncode == 0 and "deleted cli-alive" in everything.stdout
        assert processes.marked_processes(local_home) == {}
        assert "no local endpoints" in local_cli("ls").stdout
    finally:
        for name in names:
            with contextlib.suppress(ClientError):
                local_session.sagemaker_client.delete_endpoint(EndpointName=name)
