"""Fuzzing ``/invocations`` (the short form of ``benchmarks/fuzz_invocations.py``): hundreds of
hostile requests from every generator of ``sagemaker_hf.testing.fuzz``, derandomized so a
failure reproduces, against one server. Every answer must keep the rules of
:func:`~sagemaker_hf.testing.fuzz_client.violations`, no worker may die, and ``/ping`` must be
healthy at the end."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from sagemaker_hf.testing.fuzz import CATEGORIES, request_groups
from sagemaker_hf.testing.fuzz_client import FuzzClient, Tally
from tests.fixtures.toolkit_server import running_server

pytestmark = pytest.mark.slow

PAYLOAD_LIMIT_MB = 1
GROUPS = 400  # about 700 requests: ~15 s on 2 cores


@pytest.fixture(scope="module")
def fuzz_server(tiny_models):
    env = {
        "HF_TASK": "text-classification",
        "SAGEMAKER_MAX_PAYLOAD_IN_MB": str(PAYLOAD_LIMIT_MB),
        "SAGEMAKER_MODEL_SERVER_TIMEOUT": "30",
    }
    with running_server(tiny_models["text-classification"], env=env) as server:
        yield server


def test_every_fuzzed_request_gets_a_clear_answer_and_the_server_stays_healthy(fuzz_server):
    tally = Tally()
    with FuzzClient(fuzz_server.url) as client:

        @settings(
            max_examples=GROUPS,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        @given(request_groups(PAYLOAD_LIMIT_MB * 1024 * 1024))
        def send(group):
            tally.bursts += 1
            for outcome in client.send_group(group):
                tally.add(outcome)
                assert not outcome.problems, (outcome.problems, outcome.request)

        send()
        health = client.health()
    print(tally.report())
    assert tally.total > GROUPS
    assert set(tally.by_category) == set(CATEGORIES), "every generator must have been exercised"
    assert tally.by_status[200] > 0 and tally.by_status[413] > 0  # good ones served, oversize refused
    assert health.ping_status == 200 and health.worker_states == ["ready"]
    assert health.worker_restarts == 0
    assert "Traceback" not in fuzz_server.log_text()


def test_a_burst_of_large_bodies_is_answered(fuzz_server):
    # Found by fuzzing: uvloop made the pipe to the worker non-blocking, so a batch of large
    # bodies (sent from a thread) stopped half-written and the worker waited for the rest
    # forever; every later request was a 504 while /ping said healthy.
    # What matters is the size of the batch on the pipe, not the model's work: the body is
    # ~0.9 MB of JSON whitespace around one word. (With 180,000 words to tokenize, each body
    # cost ~1 s of CPU, and on a loaded 2-core machine the batch of five behind the first
    # outlived the 30 s request timeout: [200, 504, 504, 504, 504, 504] with nothing stuck.)
    body = b'{"inputs": "word"' + b" " * 900_000 + b"}"
    assert json.loads(body) == {"inputs": "word"}
    assert len(body) < PAYLOAD_LIMIT_MB * 1024 * 1024

    def post(_: int) -> int:
        return fuzz_server.client.post(
            "/invocations", content=body, headers={"content-type": "application/json"}
        ).status_code

    with ThreadPoolExecutor(6) as executor:
        for _ in range(2):
            assert list(executor.map(post, range(6))) == [200] * 6
    assert fuzz_server.client.post("/invocations", json={"inputs": "after"}).status_code == 200
