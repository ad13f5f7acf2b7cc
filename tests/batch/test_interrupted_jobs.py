"""A job that ends early keeps exactly the outputs of the records it completed, in input order,
whatever ends it (issue 16, items 1 and 3): a refused record with requests in flight behind
it, a stop, an input that cannot be read, a full disk, an output location that refuses the
file. (A killed owner process: ``test_job_processes.py``.)

Each test attacks through ``Transformer.transform()`` and checks the files on disk and what
DescribeTransformJob says. The full disk is a file size limit (RLIMIT_FSIZE) set on this
process while the job writes: the kernel's own short write and failure, whatever code writes.
"""

from __future__ import annotations

import gzip
import json
import resource
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sagemaker_hf.errors import ResourceFailedError
from sagemaker_hf.local import processes
from tests.batch.conftest import echoed_ids, with_line, write_jsonl


def _transformer(
    model: Any, output: Path, strategy: str, in_flight: int, env: dict[str, str] | None = None
) -> Any:
    return model.transformer(
        1,
        "local",
        strategy=strategy,
        assemble_with="Line",
        output_path=str(output),
        max_concurrent_transforms=in_flight,
        env=env,
    )


def _failure(transformer: Any, data: Path, **arguments: Any) -> str:
    with pytest.raises(ResourceFailedError) as raised:
        transformer.transform(str(data), content_type="application/jsonlines", split_type="Line", **arguments)
    return raised.value.failure_reason


def _objects(transformer: Any) -> list[tuple[str, str, int, str]]:
    return [
        (item["Name"], item["Status"], item["RecordsDone"], item["Output"])
        for item in transformer.describe()["Progress"]["Objects"]
    ]


@pytest.mark.parametrize(
    ("strategy", "in_flight", "records", "refused"),
    [("SingleRecord", 4, 20, 10), ("MultiRecord", 2, 300, 70)],
)
def test_a_refused_record_keeps_exactly_the_records_before_it(
    echo_model, tmp_path, strategy, in_flight, records, refused
):
    # Requests for the records after the refused one are in flight when it is refused: their
    # answers must not reach the partial file (SingleRecord: 11-13; MultiRecord: 129-192).
    data = with_line(write_jsonl(tmp_path / "in.jsonl", records), refused, "not json")
    output = tmp_path / "out"
    transformer = _transformer(echo_model, output, strategy, in_flight)
    reason = _failure(transformer, data)

    partial = output / "in.jsonl.out.partial"
    assert reason.startswith(f"ClientError: in.jsonl line {refused}: ")
    assert f"The {refused - 1} records before it were transformed; their outputs are in {partial}" in reason
    assert echoed_ids(partial) == list(range(refused - 1))
    assert _objects(transformer) == [("in.jsonl", "Partial", refused - 1, str(partial))]


def test_a_stop_keeps_the_answers_already_in_and_in_order(echo_model, tmp_path):
    gate = tmp_path / "gate"
    data = with_line(write_jsonl(tmp_path / "in.jsonl", 40), 6, json.dumps({"id": 5, "gate": str(gate)}))
    marks = [tmp_path / f"sent-{line}" for line in (7, 8, 9)]
    for line, mark in zip((7, 8, 9), marks, strict=True):
        data = with_line(data, line, json.dumps({"id": line - 1, "mark": str(mark)}))
    output = tmp_path / "out"
    # One worker per request in flight, so 7, 8 and 9 reach the model while record 6 holds one.
    transformer = _transformer(echo_model, output, "SingleRecord", 4, {"SAGEMAKER_MODEL_SERVER_WORKERS": "4"})
    transformer.transform(str(data), content_type="application/jsonlines", split_type="Line", wait=False)
    # Record 6 is held; 7, 8 and 9 are sent behind it (the model has them) and answered.
    assert processes.wait_until(lambda: all(path.exists() for path in [Path(f"{gate}.reached"), *marks]), 120)
    client = transformer.sagemaker_session.sagemaker_client
    client.stop_transform_job(TransformJobName=transformer.latest_transform_job)
    gate.touch()
    job = transformer.wait()

    assert job["TransformJobStatus"] == "Stopped"
    partial = output / "in.jsonl.out.partial"
    [(name, status, count, where)] = _objects(transformer)
    assert (name, status, where) == ("in.jsonl", "Partial", str(partial))
    assert count >= 9  # 7-9 were in flight behind record 6 when the job stopped: kept, after 6
    assert echoed_ids(partial) == list(range(count))
    assert (
        f"its first {count} records were transformed; their outputs are in {partial}"
        in (job["Progress"]["Interrupted"])
    )


def test_an_unreadable_input_keeps_every_record_read_before_it(echo_model, tmp_path):
    # A gzip file whose second member is corrupt: the 300 records of the first are read, then
    # reading fails. The requests in flight when it does are answered and kept.
    data = tmp_path / "in.jsonl.gz"
    records = write_jsonl(tmp_path / "plain.jsonl", 300).read_bytes()
    data.write_bytes(gzip.compress(records) + gzip.compress(b'{"id": 300}\n')[:10] + b"garbage" * 100)
    output = tmp_path / "out"
    transformer = _transformer(echo_model, output, "MultiRecord", 2)
    reason = _failure(transformer, data, compression_type="Gzip")

    partial = output / "in.jsonl.gz.out.partial"
    assert reason.startswith("ClientError: in.jsonl.gz could not be read: ")
    assert f"The first 300 records were transformed; their outputs are in {partial}" in reason
    assert echoed_ids(partial) == list(range(300))
    assert _objects(transformer) == [("in.jsonl.gz", "Partial", 300, str(partial))]


@pytest.fixture
def file_size_limit() -> Iterator[Callable[[int], None]]:
    """``file_size_limit(size)``: from now on this process cannot grow a file past ``size`` bytes.

    The kernel then writes what fits and fails the next write (EFBIG), as a disk filling up
    does (ENOSPC); processes started before keep writing freely.
    """
    before = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write, do not kill the process
    yield lambda size: resource.setrlimit(resource.RLIMIT_FSIZE, (size, before[1]))
    resource.setrlimit(resource.RLIMIT_FSIZE, before)
    signal.signal(signal.SIGXFSZ, handler)


def test_a_full_disk_keeps_what_was_written_and_the_files_it_names(echo_model, tmp_path, file_size_limit):
    data = tmp_path / "in"
    write_jsonl(data / "a.jsonl", 10)
    write_jsonl(data / "b.jsonl", 20_000, first=10)
    output = tmp_path / "out"
    transformer = _transformer(echo_model, output, "SingleRecord", 2)
    transformer.transform(str(data), content_type="application/jsonlines", split_type="Line", wait=False)

    def writing_b() -> bool:
        objects = transformer.describe().get("Progress", {}).get("Objects", [])
        return len(objects) == 2 and objects[1]["RecordsDone"] > 0

    assert processes.wait_until(writing_b, timeout=120)
    local_file = Path(transformer.describe()["Progress"]["Objects"][1]["Output"])
    file_size_limit(local_file.stat().st_size + 50_000)  # the disk fills a few hundred records later
    with pytest.raises(ResourceFailedError) as raised:
        transformer.wait()
    reason = raised.value.failure_reason

    assert reason.startswith(f"InternalServerError: could not write {local_file}: File too large; ")
    assert echoed_ids(output / "a.jsonl.out") == list(range(10))
    partial = output / "b.jsonl.out.partial"
    ids = echoed_ids(partial)  # whole records only: the part of the last one that fitted was cut off
    assert 0 < len(ids) < 20_000 and ids == list(range(10, 10 + len(ids)))
    assert f"The first {len(ids)} records were transformed; their outputs are in {partial}" in reason
    assert _objects(transformer) == [
        ("a.jsonl", "Completed", 10, str(output / "a.jsonl.out")),
        ("b.jsonl", "Partial", len(ids), str(partial)),
    ]


def test_outputs_that_cannot_be_published_stay_where_the_job_says(echo_model, tmp_path):
    data = write_jsonl(tmp_path / "in.jsonl", 30)
    output = tmp_path / "out"
    output.write_text("a file where the output folder should be\n")
    transformer = _transformer(echo_model, output, "SingleRecord", 2)
    reason = _failure(transformer, data)

    [(name, status, count, where)] = _objects(transformer)
    assert (name, status, count) == ("in.jsonl", "Partial", 30)
    kept = Path(where)
    assert kept.name == "in.jsonl.out" and kept.is_file()
    assert reason.startswith(f"InternalServerError: could not write {output}/in.jsonl.out: ")
    assert f"All 30 records of in.jsonl were transformed; their outputs are in {kept} on this machine" in (
        reason
    )
    assert echoed_ids(kept) == list(range(30))
