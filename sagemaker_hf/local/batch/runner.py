"""The work of one local transform job: every input object, record by record, through the model.

:func:`run` starts the model server (:mod:`~sagemaker_hf.local.batch.model_server`),
settles the job's parameters as SageMaker does (the request's ``BatchStrategy``,
``MaxConcurrentTransforms`` and ``MaxPayloadInMB`` when set, else what the server's
``/execution-parameters`` says, else SingleRecord, 1 and 6 MB), then for each input object:

1. streams its records (:mod:`~sagemaker_hf.local.batch.objects`) and packs them into
   requests: one record each (SingleRecord), or as many as fit in ``MaxPayloadInMB``
   and :data:`MAX_RECORDS_PER_REQUEST` (MultiRecord, one record per line). A record
   longer than ``MaxPayloadInMB`` is refused as soon as reading passes the limit;
2. keeps ``MaxConcurrentTransforms`` requests in flight on a thread pool;
3. writes each request's outputs as soon as it and all before it are done, so the
   output is in input order and memory holds at most the requests in flight;
4. checks the answer holds one line per record (MultiRecord), applies the join and the
   output filter, and writes one line per record (``AssembleWith=Line``) or the answers
   back to back (``None``); with ``Line``, one record's answer that spans lines is
   written compact if it is JSON, else refused (:func:`~sagemaker_hf.local.batch.records.one_line`).

A request the model refuses (4xx, or 5xx after the retries) with several records is sent
again one record at a time to find the record at fault. The job then fails with
``<object> line <n>: <the model's message>``. Whatever ends the job inside an object (a
refused or oversized record, a stop, unreadable input, an output that cannot be written),
``<object>.out.partial`` holds the outputs of exactly its first records, in input order,
and the count in the reason is theirs: answers to requests sent after the record at fault
are dropped, requests sent before an unreadable or oversized record are answered and
written first, and a stop keeps the answers already in up to the first one outstanding.
Every object completed has its ``.out``; ``progress.json`` (:mod:`.report`) says which is which.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sagemaker_hf.dataprocessing import DataProcessingError
from sagemaker_hf.local import endpoints
from sagemaker_hf.local.batch import model_server
from sagemaker_hf.local.batch.model_server import JobFailed, JobStopped, ModelServer
from sagemaker_hf.local.batch.objects import (
    InputObject,
    InputReadError,
    OutputFile,
    OutputWriteError,
    Record,
    RecordTooLarge,
    list_inputs,
    output_uri,
    read_records,
)
from sagemaker_hf.local.batch.pool import Pending, RequestPool
from sagemaker_hf.local.batch.records import RecordCodec, charset, one_line
from sagemaker_hf.local.batch.report import PROGRESS_NAME, Progress
from sagemaker_hf.local.registry import ChildProcess
from sagemaker_hf.local.settings import LocalModeSettings

# A MultiRecord request holds at most this many records even when more fit in MaxPayloadInMB,
# so one request stays well inside the server's per-request timeout (the server batches them).
MAX_RECORDS_PER_REQUEST = 64
DEFAULT_PARAMETERS = {"BatchStrategy": "SingleRecord", "MaxConcurrentTransforms": 1, "MaxPayloadInMB": 6}


@dataclass(frozen=True)
class Job:
    """What the runner needs: the requests, where to work, and how to reach storage."""

    request: dict[str, Any]  # CreateTransformJob
    model_request: dict[str, Any]  # CreateModel of its model
    work_dir: Path
    settings: LocalModeSettings
    storage_session: Any


@dataclass
class Controls:
    """How the runner talks back to the job's record (see :mod:`~sagemaker_hf.local.batch.jobs`)."""

    stop_requested: Callable[[], bool]
    server_started: Callable[[ChildProcess], None]
    parameters_resolved: Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Outcome:
    status: str  # Completed | Failed | Stopped
    failure_reason: str | None = None


class RecordFailed(Exception):
    """One record could not be transformed; ``done`` holds the outputs of the records before it."""

    def __init__(self, line: int, message: str, done: list[bytes] | None = None) -> None:
        super().__init__(message)
        self.line, self.message, self.done = line, message, done or []


@dataclass(frozen=True)
class Payload:
    records: list[Record]
    bodies: list[bytes]

    @property
    def body(self) -> bytes:
        return b"\n".join(self.bodies)


def run(job: Job, controls: Controls) -> Outcome:
    """Run the job to its end; never raises."""
    deployment = None
    try:
        deployment = model_server.start(
            job.settings, job.storage_session, job.request, job.model_request, job.work_dir
        )
        assert deployment.process is not None
        controls.server_started(deployment.process)
        model_server.wait_ready(deployment, controls.stop_requested)
        server = ModelServer(deployment.process, job.request.get("ModelClientConfig", {}))
        parameters = _parameters(job.request, server)
        controls.parameters_resolved(parameters)
        _ObjectRunner(job, controls, server, parameters).run_all()
        return Outcome("Completed")
    except JobStopped:
        return Outcome("Stopped")
    except JobFailed as failure:
        return Outcome("Failed", str(failure))
    except Exception as error:  # a bug or an unreadable store must still settle the job
        return Outcome("Failed", f"InternalServerError: {type(error).__name__}: {error}")
    finally:
        if deployment is not None:
            endpoints.stop(deployment, job.settings, remove_files=False)


def _parameters(request: dict[str, Any], server: ModelServer) -> dict[str, Any]:
    unset = [key for key in DEFAULT_PARAMETERS if request.get(key) is None]
    offered = server.execution_parameters() if unset else {}
    return {
        key: request[key] if request.get(key) is not None else offered.get(key, default)
        for key, default in DEFAULT_PARAMETERS.items()
    }


def _failure_reason(name: str, failure: Exception, kept: str) -> str:
    """The FailureReason of a job that failed inside object ``name``; ``kept`` says what is kept."""
    if isinstance(failure, RecordFailed):
        return f"ClientError: {name} line {failure.line}: {failure.message}. {kept}"
    if isinstance(failure, JobFailed):
        return f"{failure} ({name}: {kept})"
    if isinstance(failure, InputReadError):
        return f"ClientError: {failure} ({name}: {kept})"
    if isinstance(failure, OutputWriteError):
        return f"InternalServerError: {failure}; free space or fix access there and run the job again. {kept}"
    return f"InternalServerError: {type(failure).__name__}: {failure} ({name}: {kept})"


def _kept_note(failure: Exception, count: int, where: str | None) -> str:
    if count == 0:
        return "No record of this file had been transformed."
    which = f"{count} records before it" if isinstance(failure, RecordFailed) else f"first {count} records"
    return f"The {which} were transformed; their outputs are in {where}."


class _ObjectRunner:
    def __init__(self, job: Job, controls: Controls, server: ModelServer, parameters: dict[str, Any]):
        self.job, self.controls, self.server = job, controls, server
        request = job.request
        self.codec = RecordCodec.for_job(request, server.hooks())
        self.split_type = request["TransformInput"].get("SplitType")
        self.compression = request["TransformInput"].get("CompressionType")
        self.encoding = charset(request["TransformInput"].get("ContentType"))
        self.output = request["TransformOutput"]
        self.one_line = self.output.get("AssembleWith") == "Line"
        self.multi = parameters["BatchStrategy"] == "MultiRecord" and self.split_type == "Line"
        self.in_flight = max(1, int(parameters["MaxConcurrentTransforms"]))
        megabytes = int(parameters["MaxPayloadInMB"])
        self.max_bytes = megabytes * 1024 * 1024 if megabytes else None
        self.megabytes = megabytes
        self.progress = Progress(job.work_dir / PROGRESS_NAME)
        self.written = 0

    def run_all(self) -> None:
        source = self.job.request["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"]
        objects = list_inputs(self.job.storage_session, source)
        if not objects:
            raise JobFailed(f"ClientError: no input objects found under {source}")
        self.progress.objects_total = len(objects)
        self.progress.add(0, force=True)
        try:
            with RequestPool(self.in_flight, "transform-request") as pool:
                for item in objects:
                    self._transform(pool, item)
        finally:
            self.progress.add(0, force=True)

    # ---- one object ------------------------------------------------------------------

    def _transform(self, pool: RequestPool, item: InputObject) -> None:
        """One object to its ``.out``; whatever ends it early keeps what was written as ``.out.partial``."""
        output = OutputFile(self.job.work_dir / "outputs" / (item.name + ".out"))
        self.written = 0  # records of this object written so far
        self.progress.start_object(item.name, output.path)
        try:
            self._stream(pool, item, output)
        except JobStopped:
            self._keep_partial(item, output)
            raise
        except Exception as failure:  # a refused record, unreadable input, a full disk, or a bug
            kept = _kept_note(failure, self.written, self._keep_partial(item, output))
            raise JobFailed(_failure_reason(item.name, failure, kept)) from None
        uri = output_uri(self.output["S3OutputPath"], item)
        try:
            output.publish(self.job.storage_session, uri, self.output.get("KmsKeyId"))
        except OutputWriteError as error:
            self.progress.interrupt_object(str(output.path), not_published=str(error))
            raise JobFailed(
                f"InternalServerError: {error}. All {self.written} records of {item.name} were transformed; "
                f"their outputs are in {output.path} on this machine."
            ) from None
        self.progress.finish_object(uri)

    def _keep_partial(self, item: InputObject, output: OutputFile) -> str | None:
        """Publish the outputs written so far as ``<object>.out.partial``; where they are (None: none).

        If they cannot be published, the local file stays (the job's cleanup keeps it) and is named.
        """
        if not self.written:
            output.discard()
            self.progress.interrupt_object(None)
            return None
        uri = output_uri(self.output["S3OutputPath"], item, partial=True)
        try:
            output.publish(self.job.storage_session, uri, self.output.get("KmsKeyId"))
        except OutputWriteError as error:
            self.progress.interrupt_object(str(output.path), not_published=str(error))
            return f"{output.path} on this machine (not published: {error})"
        self.progress.interrupt_object(uri)
        return uri

    def _stream(self, pool: RequestPool, item: InputObject, output: OutputFile) -> None:
        """Send the object's payloads, ``in_flight`` at a time, and write their outputs in input order.

        The output always holds the outputs of exactly the first records (see the module docstring).
        """
        window: deque[Pending[list[bytes]]] = deque()
        payloads = self._payloads(item)
        try:
            while True:
                try:
                    payload = next(payloads, None)
                except (RecordFailed, InputReadError):  # the requests before it are answered first
                    while window:
                        self._write_answer(output, window.popleft())
                    raise
                if payload is None:
                    break
                if self.controls.stop_requested():
                    raise JobStopped()
                if len(window) >= self.in_flight:
                    self._write_answer(output, window.popleft())
                window.append(pool.submit(lambda payload=payload: self._send(payload)))
            while window:
                self._write_answer(output, window.popleft())
        except JobStopped:
            for pending in window:  # the requests not started are dropped, those running end
                pending.cancel()
            while window and window[0].succeeded:
                self._write(output, window.popleft().result())
            raise
        finally:
            payloads.close()
            for pending in window:  # after a failure: let the requests in flight end, drop their answers
                pending.cancel()

    def _write_answer(self, output: OutputFile, pending: Pending[list[bytes]]) -> None:
        """Write a request's outputs; if a record of it failed, those of the records before it, then raise."""
        try:
            outputs = pending.result()
        except RecordFailed as failure:
            self._write(output, failure.done)
            raise
        self._write(output, outputs)

    def _write(self, output: OutputFile, outputs: list[bytes]) -> None:
        if not outputs:
            return
        if self.one_line:
            output.write(b"".join(line + b"\n" for line in outputs))
        else:  # SageMaker writes the answers back to back
            output.write(b"\n".join(outputs))
        self.progress.add(len(outputs))
        self.written += len(outputs)

    # ---- requests --------------------------------------------------------------------

    def _over_limit(self, line: int, size: str) -> RecordFailed:
        return RecordFailed(
            line,
            f"the record is {size}, over MaxPayloadInMB={self.megabytes} ({self.max_bytes:,} bytes); "
            "raise max_payload or make the record smaller",
        )

    def _body(self, record: Record) -> bytes:
        try:
            body = self.codec.request_body(record.data)
        except DataProcessingError as error:
            raise RecordFailed(record.line, f"InputFilter: {error}") from None
        if self.max_bytes is not None and len(body) > self.max_bytes:
            raise self._over_limit(record.line, f"{len(body):,} bytes")
        return body

    def _payloads(self, item: InputObject) -> Iterator[Payload]:
        """The object's requests; a record that cannot be read or sent ends them, after the
        request holding the records before it."""
        records: list[Record] = []
        bodies: list[bytes] = []
        size = 0
        ending: Exception | None = None
        reader = read_records(
            self.job.storage_session, item, self.split_type, self.compression, self.max_bytes, self.encoding
        )
        try:
            for record in reader:
                body = self._body(record)
                too_big = self.max_bytes is not None and size + len(body) + len(bodies) > self.max_bytes
                if records and (not self.multi or too_big or len(records) >= MAX_RECORDS_PER_REQUEST):
                    yield Payload(records, bodies)
                    records, bodies, size = [], [], 0
                records.append(record)
                bodies.append(body)
                size += len(body)
        except RecordTooLarge as error:  # reading stopped at the limit (or one chunk after it)
            described = f"{error.size:,} bytes"
            if not error.whole:
                described = f"more than {described} (reading stopped there)"
            ending = self._over_limit(error.line, described)
        except (RecordFailed, InputReadError) as error:
            ending = error
        finally:
            reader.close()
        if records:
            yield Payload(records, bodies)
        if ending is not None:
            raise ending

    def _send(self, payload: Payload) -> list[bytes]:
        """The outputs of a payload's records, in order; raises RecordFailed / JobFailed."""
        answer = self.server.invoke(payload.body, self.codec.request_content_type, self.codec.request_accept)
        if answer.ok:
            return self._outputs(payload, answer.body)
        if answer.status in (406, 413, 415):  # about the job's settings, not about one record
            raise JobFailed(
                f"ClientError: the model server refused the request ({answer.status}): {answer.message}"
            )
        if len(payload.records) == 1:
            raise RecordFailed(
                payload.records[0].line, f"{answer.message} (the model answered {answer.status})"
            )
        return self._locate(payload, answer)

    def _outputs(self, payload: Payload, body: bytes) -> list[bytes]:
        pieces = [body.removesuffix(b"\n").removesuffix(b"\r")]
        if len(payload.records) > 1:
            pieces = [piece.removesuffix(b"\r") for piece in pieces[0].split(b"\n")]
            if len(pieces) != len(payload.records):
                first, last = payload.records[0].line, payload.records[-1].line
                raise JobFailed(
                    f"ClientError: lines {first}-{last}: the model answered {len(pieces)} lines for "
                    f"{len(payload.records)} records; with MultiRecord it must answer one line per record "
                    "(use strategy='SingleRecord' if its answers span several lines)"
                )
        outputs = []
        for record, piece in zip(payload.records, pieces, strict=True):
            try:
                written = self.codec.output(record.data, piece)
            except DataProcessingError as error:
                raise RecordFailed(record.line, f"JoinSource/OutputFilter: {error}", outputs) from None
            # A rewritten answer is compact JSON, or a CSV row whose newlines are inside quotes.
            if self.one_line and not self.codec.rewrites_answers and b"\n" in written:
                try:
                    written = one_line(written)
                except ValueError as error:
                    raise RecordFailed(record.line, str(error), outputs) from None
            outputs.append(written)
        return outputs

    def _locate(self, payload: Payload, answer: model_server.Answer) -> list[bytes]:
        """Send the records one by one: the first one refused fails the job.

        If each is taken alone, their outputs are used (the model failed only on the group).
        """
        del answer
        outputs: list[bytes] = []
        for record, body in zip(payload.records, payload.bodies, strict=True):
            try:
                outputs += self._send(Payload([record], [body]))
            except RecordFailed as failure:
                raise RecordFailed(failure.line, failure.message, outputs + failure.done) from None
        return outputs
