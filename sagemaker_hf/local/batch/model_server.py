"""The model server of a local transform job: started like an endpoint, then asked over HTTP.

The job's toolkit child process is made by :func:`sagemaker_hf.local.endpoints.start`
(the same model directory preparation, environment and spawn as a local endpoint), with
the job's ``Environment`` over the model's and, as SageMaker does for batch containers,
``SAGEMAKER_MAX_PAYLOAD_IN_MB`` set to the job's ``MaxPayloadInMB``. :class:`ModelServer`
then waits for ``/ping``, reads ``/execution-parameters`` and ``/info``, and posts
``/invocations`` from several threads (one keep-alive connection each), retrying what
SageMaker retries: 5xx answers and dropped connections, ``InvocationsMaxRetries`` times
(``ModelClientConfig``, default 3), each waiting at most ``InvocationsTimeoutInSeconds``
(default 600).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sagemaker_hf.local import botocore_model, endpoints, processes
from sagemaker_hf.local.endpoints import Health
from sagemaker_hf.local.registry import ChildProcess, Deployment
from sagemaker_hf.local.settings import LocalModeSettings

DEFAULT_TIMEOUT_SECONDS = 600.0  # ModelClientConfig.InvocationsTimeoutInSeconds' default
DEFAULT_MAX_RETRIES = 3  # ModelClientConfig.InvocationsMaxRetries' default
_READY_POLL_SECONDS = 0.2
_RETRY_DELAYS = (1.0, 2.0, 4.0)
PAYLOAD_VARIABLE = "SAGEMAKER_MAX_PAYLOAD_IN_MB"
_STRATEGIES = {"MULTI_RECORD": "MultiRecord", "SINGLE_RECORD": "SingleRecord"}


class JobFailed(Exception):
    """The job fails with this FailureReason."""


class JobStopped(Exception):
    """StopTransformJob was called."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def message(self) -> str:
        """The toolkit's error message (``{"message": ...}``), else the body as text."""
        text = self.body.decode("utf-8", errors="replace")
        try:
            parsed = json.loads(text)
        except ValueError:
            return text.strip()
        return str(parsed.get("message", text)) if isinstance(parsed, dict) else text.strip()


def start(
    settings: LocalModeSettings,
    storage_session: Any,
    job_request: dict[str, Any],
    model_request: dict[str, Any],
    work_dir: Path,
) -> Deployment:
    """Prepare the model and spawn its server (it loads in the background)."""
    container = dict(model_request["PrimaryContainer"])
    container["Environment"] = {
        **container.get("Environment", {}),
        **job_request.get("Environment", {}),
        **payload_limit(job_request),
    }
    config = {
        "EndpointConfigName": job_request["TransformJobName"],
        "ProductionVariants": [
            {
                "VariantName": "AllTraffic",
                "ModelName": job_request["ModelName"],
                "InstanceType": job_request["TransformResources"]["InstanceType"],
            }
        ],
    }
    deployment, failure = endpoints.start(
        settings, {**model_request, "PrimaryContainer": container}, config, work_dir, storage_session
    )
    if failure is not None:
        raise JobFailed(f"ClientError: {failure}")
    return deployment


def payload_limit(job_request: dict[str, Any]) -> dict[str, str]:
    """What SageMaker tells a batch container about ``MaxPayloadInMB``, so the server takes the
    requests the job is allowed to send. Unset (0 means no limit, or left to the server's
    ``/execution-parameters``), the server keeps its own limit, which it then offers."""
    megabytes = job_request.get("MaxPayloadInMB")
    return {PAYLOAD_VARIABLE: str(megabytes)} if megabytes else {}


def wait_ready(deployment: Deployment, stop_requested: Callable[[], bool]) -> None:
    """Poll ``/ping`` until the model is loaded; a load failure or the startup deadline fails the job."""
    while True:
        probe = endpoints.probe(deployment, botocore_model.now())
        if probe.health is Health.READY:
            deployment.seen_ready = True
            return
        if probe.health is Health.FAILED:
            raise JobFailed(f"AlgorithmError: the model server did not start: {probe.reason}")
        if stop_requested():
            raise JobStopped()
        time.sleep(_READY_POLL_SECONDS)


class ModelServer:
    """HTTP to a ready toolkit process, from any number of threads."""

    def __init__(self, process: ChildProcess, client_config: dict[str, Any]) -> None:
        self.process = process
        self.timeout = float(client_config.get("InvocationsTimeoutInSeconds", DEFAULT_TIMEOUT_SECONDS))
        self.max_retries = int(client_config.get("InvocationsMaxRetries", DEFAULT_MAX_RETRIES))
        self._local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection("127.0.0.1", self.process.port, timeout=self.timeout)
            self._local.connection = connection
        return connection

    def _drop_connection(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    def _once(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Answer:
        connection = self._connection()
        try:
            connection.request(method, path, body=body, headers=headers)
            reply = connection.getresponse()
            data = reply.read()
        except (OSError, http.client.HTTPException):
            self._drop_connection()
            raise
        if reply.getheader("Connection", "").lower() == "close":
            self._drop_connection()
        return Answer(reply.status, data)

    def get(self, path: str) -> Answer | None:
        """One GET; None when the server does not answer it."""
        try:
            return self._once("GET", path, None, {})
        except (OSError, http.client.HTTPException):
            return None

    def invoke(self, body: bytes, content_type: str | None, accept: str | None) -> Answer:
        """POST /invocations, retrying 5xx and dropped connections; a 4xx is returned at once."""
        headers = {
            name: value for name, value in (("Content-Type", content_type), ("Accept", accept)) if value
        }
        attempt = 0
        while True:
            try:
                answer = self._once("POST", "/invocations", body, headers)
                if answer.ok or answer.status < 500 or attempt >= self.max_retries:
                    return answer
                problem = f"answered {answer.status}: {answer.message}"
            except (OSError, http.client.HTTPException) as error:
                if not processes.is_running(self.process.pid, self.process.identity):
                    raise JobFailed(
                        "AlgorithmError: "
                        + endpoints.with_log(processes.describe_exit(self.process.pid), self.process)
                    ) from None
                if attempt >= self.max_retries:
                    raise JobFailed(
                        f"ClientError: the model server did not answer after {attempt + 1} attempts "
                        f"({type(error).__name__}: {error}); raise InvocationsTimeoutInSeconds in "
                        "ModelClientConfig if the model needs longer per request"
                    ) from None
                problem = f"did not answer ({type(error).__name__}: {error})"
            delay = _RETRY_DELAYS[min(attempt, len(_RETRY_DELAYS) - 1)]
            _log_retry(self.process, problem, delay)
            time.sleep(delay)
            attempt += 1

    def execution_parameters(self) -> dict[str, Any]:
        """``/execution-parameters`` in the request's terms (``MultiRecord``), or {} when not offered."""
        answer = self.get("/execution-parameters")
        if answer is None or not answer.ok:
            return {}
        try:
            parameters = json.loads(answer.body)
        except ValueError:
            return {}
        if not isinstance(parameters, dict):
            return {}
        resolved: dict[str, Any] = {}
        strategy = _STRATEGIES.get(str(parameters.get("BatchStrategy", "")).upper())
        if strategy:
            resolved["BatchStrategy"] = strategy
        for key in ("MaxConcurrentTransforms", "MaxPayloadInMB"):
            if isinstance(parameters.get(key), int) and parameters[key] >= 0:
                resolved[key] = parameters[key]
        return resolved

    def hooks(self) -> frozenset[str]:
        """The user hooks the model's ``inference.py`` defines (from the toolkit's ``/info``)."""
        answer = self.get("/info")
        try:
            info = json.loads(answer.body) if answer is not None and answer.ok else {}
        except ValueError:
            info = {}
        return frozenset(info.get("hooks") or ()) if isinstance(info, dict) else frozenset()


def _log_retry(process: ChildProcess, problem: str, delay: float) -> None:
    # The job's log is the server's log: the retry shows next to what caused it.
    with open(process.log_path, "a", encoding="utf-8") as log:
        log.write(f"[sagemaker-hf batch] the model server {problem}; retrying in {delay:g} s\n")
