"""benchmarks/peer: the table and the PASS/FAIL lines, the answers' comparison, the inputs, and
how each server is set up (environment, ports, the peer's model folder), with no server run."""

from __future__ import annotations

import json
import math

import pytest
from peer import report, servers
from peer.ceiling import Ceiling
from peer.measure import Result, agreement, valid_answer
from peer.sentences import sentences
from peer.tree import StopReport

MIB = 1024 * 1024


def result(
    server: str, requests_per_second: float, seq_ms: float, p99_ms: float, rss_mib: float, cold: float
):
    load_ms = [p99_ms / 2] * int(requests_per_second * 10 - 1) + [p99_ms]
    return Result(
        server,
        "sentence-embeddings",
        ping_seconds=cold / 2,
        cold_start_seconds=cold,
        sequential_ms=[seq_ms] * 50,
        load_seconds=10.0,
        load_ms=load_ms,
        cpu_seconds=len(load_ms) * 0.02,
        peak_rss_bytes=int(rss_mib * MIB),
        stop=StopReport(0.5),
        answers={0: {b'{"embeddings": [0.5, 0.25]}'}},
    )


def lines_by_target(verdicts):
    return {verdict.target: verdict for verdict in verdicts}


def test_every_target_passes_when_ours_meets_it_and_the_table_shows_ratios():
    peer = result(servers.PEER, 100, 17.8, 432, 1629, 11.0)
    ours = result(servers.OURS, 320, 13.2, 126, 508, 5.0)
    verdicts = report.verdicts(ours, peer, agreement(ours, peer))
    assert [verdict.passed for verdict in verdicts] == [True] * 7, [v.line() for v in verdicts]
    assert (
        lines_by_target(verdicts)["32-client throughput >= 3x the peer's"]
        .line()
        .startswith("PASS  sentence-embeddings: 32-client throughput >= 3x the peer's: 3.20×")
    )
    table = report.table([peer, ours], clients=32)
    assert table[0].startswith("| server (defaults) | task | 32-client req/s | seq p50 ms |")
    peer_row, ours_row = table[2], table[3]
    assert (
        peer_row.startswith("| AWS toolkit 2.6 + MMS | sentence-embeddings | 100 | 17.8 |")
        and "×" not in peer_row
    )
    assert ours_row.startswith("| sagemaker-hf | sentence-embeddings | 320 (3.20×) | 13.2 (0.74×) |")
    assert "| 1,629 |" in peer_row and "| 508 (0.31×) |" in ours_row
    assert ours_row.endswith("| clean in 0.5 s |")


def test_each_missed_target_fails_alone():
    peer = result(servers.PEER, 100, 17.8, 432, 1629, 11.0)
    ours = result(servers.OURS, 173, 18.0, 285, 900, 6.0)
    ours.stop = StopReport(None, ["pid 1: x"], ["tcp:8080"])
    found = lines_by_target(report.verdicts(ours, peer, agreement(ours, peer)))
    failed = {target for target, verdict in found.items() if not verdict.passed}
    assert failed == {
        "32-client throughput >= 3x the peer's",
        "sequential p50 <= the peer's",
        "32-client p99 <= 1/2 the peer's",
        "peak RSS <= 1/2 the peer's",
        "cold start <= 1/2 the peer's",
        "ours leaves nothing running after SIGTERM",
    }
    assert found["32-client throughput >= 3x the peer's"].measured == "1.73× (173.0 vs 100.0 req/s)"


def test_a_server_that_failed_fails_its_targets_and_says_so_in_the_table():
    peer = Result(servers.PEER, "feature-extraction", failure="RuntimeError: the server exited (1)\nlog")
    ours = result(servers.OURS, 320, 13.2, 126, 508, 5.0)
    ours.task = "feature-extraction"
    verdicts = report.verdicts(ours, peer, agreement(ours, peer))
    assert not any(verdict.passed for verdict in verdicts[:6])
    assert "not measured for both servers" in verdicts[0].measured
    assert "FAILED: RuntimeError: the server exited (1) |" in report.table([peer, ours], clients=32)[2]


def test_a_table_of_ours_alone_has_no_ratios_and_names_the_client_count():
    ours = result(servers.OURS, 50, 13.2, 126, 508, 5.0)
    table = report.table([ours], clients=4)
    assert "4-client req/s" in table[0] and "4c p99 ms" in table[0]
    assert "×" not in table[2]


@pytest.mark.parametrize(
    ("peer_answer", "equal", "largest"),
    [
        (b'{"embeddings": [0.50005, 0.25]}', True, 5e-5),
        (b'{"embeddings": [0.5003, 0.25]}', False, 3e-4),
        (b'{"embeddings": [0.5, 0.25, 0.1]}', False, math.inf),
    ],
)
def test_answers_agree_within_1e_4(peer_answer, equal, largest):
    ours = result(servers.OURS, 320, 13.2, 126, 508, 5.0)
    ours.answers = {0: {b'{"embeddings": [0.5, 0.25]}', b'{"embeddings": [0.50001, 0.25]}'}, 7: {b"{}"}}
    peer = result(servers.PEER, 100, 17.8, 432, 1629, 11.0)
    peer.answers = {0: {peer_answer}}
    found = agreement(ours, peer)
    assert (found.inputs, found.compared, found.equal) == (1, 2, equal)
    assert found.max_difference == pytest.approx(largest, rel=1e-3)


def test_nothing_compared_is_not_agreement():
    ours = result(servers.OURS, 320, 13.2, 126, 508, 5.0)
    peer = result(servers.PEER, 100, 17.8, 432, 1629, 11.0)
    peer.answers = {3: {b'{"embeddings": [0.5, 0.25]}'}}
    assert not agreement(ours, peer).equal


@pytest.mark.parametrize(
    ("task", "body", "valid"),
    [
        ("sentence-embeddings", {"embeddings": [0.1, -0.2]}, True),
        ("sentence-embeddings", {"embeddings": []}, False),
        ("sentence-embeddings", [[0.1, -0.2]], False),
        ("feature-extraction", [[[0.1, -0.2], [0.3, 0.4]]], True),
        ("feature-extraction", {"error": "model not loaded"}, False),
    ],
)
def test_a_first_answer_counts_only_with_the_tasks_shape(task, body, valid):
    assert valid_answer(task, json.dumps(body).encode()) is valid
    assert not valid_answer(task, b"<html>503</html>")


def test_the_inputs_are_200_distinct_varied_sentences_the_same_every_run():
    made = sentences()
    assert made == sentences() and len(set(made)) == 200
    words = sorted(len(text.split()) for text in made)
    assert words[0] <= 3 and words[-1] >= 30
    assert sentences(seed=19) != made


@pytest.fixture
def model_dir(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "modules.json").write_text("[]")
    return folder


def test_neither_server_sees_the_variables_that_change_defaults(model_dir, tmp_path, monkeypatch):
    for name, value in [("OMP_NUM_THREADS", "1"), ("MKL_NUM_THREADS", "1"), ("OMP_WAIT_POLICY", "ACTIVE"),
                        ("SAGEMAKER_MODEL_SERVER_WORKERS", "3"), ("TOKENIZERS_PARALLELISM", "false"),
                        ("HF_TASK", "fill-mask")]:  # fmt: skip
        monkeypatch.setenv(name, value)
    ours = servers.ours("feature-extraction", model_dir, tmp_path / "run")
    peer = servers.peer(
        "feature-extraction", model_dir, tmp_path / "run", tmp_path / "peer" / "bin" / "python"
    )
    for spec in (ours, peer):
        assert not servers.DEFAULT_CHANGING_VARIABLES & set(spec.env), spec.name
        assert spec.env["HF_TASK"] == "feature-extraction" and spec.env["HF_HUB_OFFLINE"] == "1"
    assert ours.command[-6:] == [
        "--host",
        "127.0.0.1",
        "--port",
        str(ours.port),
        "--model-dir",
        str(model_dir),
    ]


def test_the_peer_runs_from_its_venv_on_127_0_0_1_with_its_files_in_the_run_folder(model_dir, tmp_path):
    peer_python = tmp_path / "peer" / "bin" / "python"
    spec = servers.peer("sentence-embeddings", model_dir, tmp_path / "run", peer_python)
    assert spec.port < 32767  # MMS refuses higher ports
    assert spec.env["MMS_INFERENCE_ADDRESS"] == spec.env["MMS_MANAGEMENT_ADDRESS"] == spec.url
    assert spec.url == f"http://127.0.0.1:{spec.port}"
    assert spec.env["PATH"].split(":")[0] == str(peer_python.parent)  # its multi-model-server
    assert "PYTHONPATH" not in spec.env and "HF_TASK" not in spec.env
    assert spec.command == [
        str(peer_python),
        str(servers.LAUNCHER),
        str(spec.cwd / "sagemaker-mms.properties"),
    ]
    for name in ("SAGEMAKER_BASE_DIR", "TEMP", "TMPDIR", "LOG_LOCATION", "METRICS_LOCATION"):
        assert spec.env[name].startswith(str(spec.cwd)), name
    model = spec.cwd / "ml" / "model"
    assert (model / "config.json").resolve() == (model_dir / "config.json").resolve()
    script = (model / "code" / "inference.py").read_text()
    compile(script, "inference.py", "exec")
    assert "SentenceTransformer(model_dir" in script and '"embeddings"' in script


def test_the_peers_feature_extraction_model_is_the_same_folder(model_dir, tmp_path):
    spec = servers.peer("feature-extraction", model_dir, tmp_path / "run", tmp_path / "python")
    assert (spec.cwd / "ml" / "model").resolve() == model_dir.resolve()
    assert not (model_dir / "code").exists()


def test_the_bound_line_sets_the_model_alone_against_3x_the_peer_and_what_ours_got():
    peer = result(servers.PEER, 150, 17.8, 432, 1629, 11.0)
    ours = result(servers.OURS, 360, 13.2, 126, 508, 5.0)  # 20 ms of CPU per request (the helper's)
    alone = Ceiling(per_second=400.0, best="2 threads, spinning OpenMP waiting", cpu_ms=4.0)
    ours.client_cpu_seconds = ours.answered * 0.0005  # the client: 0.5 ms of CPU per answer
    line = report.bound_line("sentence-embeddings", alone, ours, peer, cores=2)
    assert line == (
        "BOUND sentence-embeddings: the model alone, in-process, batches of 32, no HTTP: at best 400 "
        "sentences/s (2 threads, spinning OpenMP waiting), at least 4.00 ms of CPU per sentence; 3x the "
        "peer is 450 req/s: 112% of the model alone's best, and 1.80 of the 2 cores for the model alone; "
        "with the client's 0.50 ms of CPU per answer on the same cores, the model alone leaves room for "
        "364 req/s, and 3x the peer is 124% of it; "
        "ours served 360 req/s on 7.20 cores (20.00 ms of CPU per request, the whole tree)"
    )
    assert report.bound_line("feature-extraction", None, ours, peer, cores=2).endswith("was not measured")
    assert "3x the peer" not in report.bound_line("feature-extraction", alone, ours, None, cores=2)


def test_the_model_alone_is_measured_in_each_thread_configuration_and_the_best_counts(monkeypatch):
    from peer import ceiling

    runs = {
        (1, None, 1): (200.0, 4.0),
        (1, "PASSIVE", 2): (400.0, 4.4),
        (2, "PASSIVE", 1): (330.0, 5.5),
        (2, None, 1): (420.0, 4.6),
    }
    monkeypatch.setattr(
        ceiling,
        "_measure_once",
        lambda task, model, seconds, threads, wait, lanes: runs[threads, wait, lanes],
    )
    monkeypatch.setattr("sagemaker_hf.toolkit.settings.usable_cores", lambda: 2)
    found = ceiling.measure("sentence-embeddings", None, 3.0)
    assert found == ceiling.Ceiling(420.0, "2 threads, spinning OpenMP waiting", 4.0)
    runs[1, "PASSIVE", 2] = (450.0, 4.4)
    assert ceiling.measure("sentence-embeddings", None, 3.0).best == "2 lanes of 1 thread"
    assert ceiling.configurations(1) == [(1, None, 1)]
