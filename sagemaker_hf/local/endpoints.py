"""One endpoint process: its model directory, its start, its health, its stop.

The child is ``python -m sagemaker_hf.toolkit serve`` on a free 127.0.0.1 port, started
the way SageMaker starts the container: the model's ``Environment`` (with
``/opt/ml/model`` paths pointing at the local model directory), ``SM_MODEL_DIR`` and
``SAGEMAKER_BIND_TO_PORT``. It inherits the host's environment
(:func:`~sagemaker_hf.local.processes.child_environment`) except the variables a container
gets only from its model: ``SM_*``, ``SAGEMAKER_*``, ``HF_MODEL_ID``, ``HF_TASK``, the Hub
tokens, ... A
secret of the model's ``Environment`` is stored as a placeholder (:mod:`secret_env`) and
revealed here, for the child only.

Model data is used as SageMaker would see it:

- a local directory (or ``file://`` directory) is served **in place**, read-only: no
  copy, no archive, so deploying from a folder starts as fast as the model loads;
- a ``.tar.gz`` (path or ``file://``) is extracted, through ``safetar``, into the
  endpoint's working directory;
- ``s3://`` is downloaded through the session's S3 client first, then extracted; an
  uncompressed ``ModelDataSource`` (``S3Prefix``, ``CompressionType="None"``) is
  downloaded object by object, or served in place when it is a local folder;
- no model data (a Hub model, ``HF_MODEL_ID``) gives an empty model directory, as on
  SageMaker, and the toolkit downloads the model (or finds it in the HF cache).

The toolkit serves the API of the container the image stands for (TGI, TEI, vLLM, SGLang or
the base toolkit; :mod:`sagemaker_hf.image_uris.serving_apis`), through
``SAGEMAKER_HF_SERVING_API``; a custom image gets the toolkit's default, and an image local
mode cannot stand in for (llama.cpp) fails the endpoint with a reason that says so.
"""

from __future__ import annotations

import contextlib
import enum
import http.client
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sagemaker_hf import storage
from sagemaker_hf.image_uris.serving_apis import NotServedLocallyError, serving_api
from sagemaker_hf.local import botocore_model, processes, secret_env
from sagemaker_hf.local.mode import is_gpu_instance_type
from sagemaker_hf.local.registry import ChildProcess, Deployment
from sagemaker_hf.local.settings import LocalModeSettings
from sagemaker_hf.safetar import safe_extract

CONTAINER_MODEL_DIR = "/opt/ml/model"
# The toolkit's setting for the API it serves (toolkit, tgi, tei, vllm, sglang).
SERVING_API_VARIABLE = "SAGEMAKER_HF_SERVING_API"
PING_TIMEOUT_SECONDS = 2.0


class ModelDataError(Exception):
    """The model data could not be brought to a model directory; the endpoint fails with this reason."""


def model_data_location(container: dict[str, Any]) -> tuple[str | None, bool]:
    """Where the container's model data is (``ModelDataUrl`` or ``ModelDataSource``'s ``S3Uri``),
    and whether it is a ``.tar.gz`` (``CompressionType="None"``: uncompressed files under a prefix)."""
    source = container.get("ModelDataSource")
    if source is None:
        return container.get("ModelDataUrl"), True
    s3_source = source["S3DataSource"]
    return s3_source["S3Uri"], s3_source["CompressionType"] == "Gzip"


def _download_prefix(storage_session: Any, prefix: str, target: Path) -> Path:
    """Every object under an S3 prefix, at its relative path below ``target``."""
    base = prefix if prefix.endswith("/") else prefix + "/"
    for uri in storage.list_uris(storage_session, prefix):
        relative = uri[len(base) :] if uri.startswith(base) else uri.rsplit("/", 1)[-1]
        destination = (target / relative).resolve()
        if not destination.is_relative_to(target.resolve()):
            raise ModelDataError(f"the object {uri} would land outside the model directory")
        storage.download_file(storage_session, uri, destination)
    return target


def prepare_model_dir(
    model_data_url: str | None, work_dir: Path, storage_session: Any, compressed: bool = True
) -> Path:
    """The directory the server loads from; see the module docstring for each kind of model data."""
    target = work_dir / "model"
    try:
        if model_data_url is None:
            target.mkdir(parents=True, exist_ok=True)
            return target
        if storage.is_s3(model_data_url) and not compressed:
            return _download_prefix(storage_session, model_data_url, target)
        if storage.is_s3(model_data_url):
            archive = storage.download_file(storage_session, model_data_url, work_dir / "model.tar.gz")
            safe_extract(archive, target)
            archive.unlink()
            return target
        source = storage.local_path(model_data_url)
        if source.is_dir():
            return source.resolve()
        safe_extract(source, target)
        return target
    except Exception as error:
        raise ModelDataError(f"could not prepare the model data {model_data_url}: {error}") from error


def child_environment(
    container_env: dict[str, str],
    model_dir: Path,
    port: int,
    work_dir: Path,
    gpu: bool,
    serving_api: str | None = None,
) -> dict[str, str]:
    """The container's environment for the toolkit child (see the module docstring).

    ``serving_api`` (the image family's API) goes in ``SAGEMAKER_HF_SERVING_API`` unless the
    model's environment sets that variable itself.
    """
    own = {
        **({SERVING_API_VARIABLE: serving_api} if serving_api else {}),
        **{
            name: _local_path(secret_env.reveal(name, value, os.environ), model_dir)
            for name, value in container_env.items()
        },
        "SM_MODEL_DIR": str(model_dir),
        "SAGEMAKER_BIND_TO_PORT": str(port),
        processes.MARKER_VARIABLE: str(work_dir),
    }
    return processes.child_environment(own, gpu, withheld=processes.MODEL_VARIABLES)


def _local_path(value: str, model_dir: Path) -> str:
    if value == CONTAINER_MODEL_DIR or value.startswith(CONTAINER_MODEL_DIR + "/"):
        return str(model_dir) + value[len(CONTAINER_MODEL_DIR) :]
    return value


def new_work_dir(settings: LocalModeSettings, endpoint_name: str, config_name: str) -> Path:
    work_dir = settings.endpoints_dir / endpoint_name / f"{config_name}-{uuid.uuid4().hex[:8]}"
    work_dir.mkdir(parents=True)
    return work_dir


def start(
    settings: LocalModeSettings,
    model_request: dict[str, Any],
    config_request: dict[str, Any],
    work_dir: Path,
    storage_session: Any,
) -> tuple[Deployment, str | None]:
    """Prepare the model directory and start the server; returns at once (it loads in the background).

    When the model data cannot be used, the deployment has no process and ``failure``
    says why.
    """
    container = model_request["PrimaryContainer"]
    variant = config_request["ProductionVariants"][0]
    timeout = variant.get("ContainerStartupHealthCheckTimeoutInSeconds") or settings.startup_timeout_seconds
    deployment = Deployment(
        config=config_request,
        model=model_request,
        work_dir=work_dir,
        process=None,
        started=botocore_model.now(),
        startup_timeout_seconds=float(timeout),
    )
    try:
        url, compressed = model_data_location(container)
        model_dir = prepare_model_dir(url, work_dir, storage_session, compressed)
    except ModelDataError as error:
        return deployment, str(error)
    port = processes.free_port()
    try:
        environment = child_environment(
            container.get("Environment", {}),
            model_dir,
            port,
            work_dir,
            is_gpu_instance_type(variant["InstanceType"]),
            serving_api(container.get("Image")),
        )
    except (secret_env.SecretUnavailableError, NotServedLocallyError) as error:
        return deployment, str(error)
    command = processes.serve_command(port, model_dir)
    log_path = work_dir / "server.log"
    pid, identity = processes.spawn(command, environment, work_dir, log_path)
    deployment.process = ChildProcess(
        pid=pid, identity=identity, port=port, model_dir=model_dir, log_path=log_path
    )
    return deployment, None


class Health(enum.Enum):
    STARTING = "starting"
    READY = "ready"
    FAILED = "failed"


@dataclass(frozen=True)
class Probe:
    health: Health
    reason: str | None = None


def probe(deployment: Deployment, now: datetime) -> Probe:
    """Look at the live process: gone, failed to load, ready, or still starting (until its deadline)."""
    process = deployment.process
    assert process is not None, "a deployment without a process has failed already"
    if not processes.is_running(process.pid, process.identity):
        return Probe(Health.FAILED, with_log(processes.describe_exit(process.pid), process))
    status, body = _ping(process.port)
    if status == 200:
        return Probe(Health.READY)
    if status == 503 and body.get("type") == "ModelLoadError":
        return Probe(Health.FAILED, with_log(f"the model did not load: {body.get('message')}", process))
    if deployment.seen_ready:
        return Probe(Health.READY)  # e.g. a worker restarting; SageMaker keeps such an endpoint InService
    waited = (now - deployment.started).total_seconds()
    if waited > deployment.startup_timeout_seconds:
        return Probe(
            Health.FAILED,
            with_log(
                f"the server did not answer /ping with 200 within {deployment.startup_timeout_seconds:g} s "
                "(raise it with deploy(container_startup_health_check_timeout=...) or "
                "SAGEMAKER_HF_LOCAL_STARTUP_TIMEOUT)",
                process,
            ),
        )
    return Probe(Health.STARTING, body.get("message"))


def with_log(reason: str, process: ChildProcess) -> str:
    return f"{reason}.\nLast lines of {process.log_path}:\n{processes.log_tail(process.log_path)}"


def _ping(port: int) -> tuple[int | None, dict[str, Any]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=PING_TIMEOUT_SECONDS)
    try:
        connection.request("GET", "/ping")
        response = connection.getresponse()
        text = response.read()
    except OSError:
        return None, {}  # not listening yet, or busy
    finally:
        connection.close()
    try:
        body = json.loads(text)
    except ValueError:
        body = {}
    return response.status, body if isinstance(body, dict) else {}


def stop(deployment: Deployment, settings: LocalModeSettings, remove_files: bool) -> None:
    """Stop the server (SIGTERM, then SIGKILL); with ``remove_files``, delete its working directory."""
    process = deployment.process
    if process is not None:
        processes.stop_group(process.pid, process.identity, settings.stop_timeout_seconds)
    if remove_files:
        remove_work_dir(deployment.work_dir, settings)


@dataclass(frozen=True)
class Leftovers:
    """What an endpoint whose record is unreadable left: its processes and working directories."""

    processes: list[tuple[int, str | None]]  # (pid, identity)
    work_dirs: list[Path]


def leftovers(settings: LocalModeSettings, endpoint_name: str, listed: list[ChildProcess]) -> Leftovers:
    """The processes of ``endpoint_name``: those its pid file lists (``listed``) and those whose
    marker points into its folder; with its working directories. Collected under the registry
    lock, so a new endpoint of the same name started afterwards is not among them."""
    folder = (settings.endpoints_dir / endpoint_name).resolve()
    found = {process.pid: process.identity for process in listed}
    for pid, work_dir in processes.marked_processes(settings.home).items():
        if folder in work_dir.resolve().parents:
            found.setdefault(pid, processes.identity(pid))
    work_dirs = sorted(path for path in folder.iterdir() if path.is_dir()) if folder.is_dir() else []
    return Leftovers(sorted(found.items()), work_dirs)


def stop_leftovers(found: Leftovers, settings: LocalModeSettings) -> None:
    for pid, identity in found.processes:
        processes.stop_group(pid, identity, settings.stop_timeout_seconds)
    for work_dir in found.work_dirs:
        remove_work_dir(work_dir, settings)


def remove_work_dir(work_dir: Path, settings: LocalModeSettings) -> None:
    """Delete an endpoint's working directory (never anything outside ``<home>/endpoints``)."""
    root = settings.endpoints_dir.resolve()
    work_dir = Path(work_dir).resolve()
    if root in work_dir.parents:
        shutil.rmtree(work_dir, ignore_errors=True)
        if work_dir.parent != root:
            with contextlib.suppress(OSError):  # the endpoint's folder, once its last deployment is gone
                work_dir.parent.rmdir()
