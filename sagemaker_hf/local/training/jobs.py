"""Local training jobs: CreateTrainingJob, DescribeTrainingJob, StopTrainingJob and ListTrainingJobs.

``create`` checks the request as boto3 would, lays out the job's ``/opt/ml`` tree
(:mod:`~sagemaker_hf.local.training.container`: channels, code, checkpoints, config files),
then starts :mod:`~sagemaker_hf.local.training.runner` in its own session, its output
in ``<home>/training-jobs/<job>/training.log``, and returns at once.

``describe`` computes the status from the record and the process: running → InProgress;
the runner's ``result.json`` → the job is finalised once (under the registry lock):
``model.tar.gz`` and ``output.tar.gz`` go to ``<S3OutputPath>/<job>/output/`` and the
checkpoints to ``CheckpointConfig.S3Uri``, through the session's storage (``file://``
or ``s3://``), then Completed, Stopped or Failed (exit code and the log's tail); a runner
that vanished without a result → Failed. Any Python process sharing the local home
sees the same jobs.
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from sagemaker_hf import storage
from sagemaker_hf.container.training import MODEL_ARCHIVE_NAME, OUTPUT_ARCHIVE_NAME, PROGRAM, SUBMIT_DIRECTORY
from sagemaker_hf.local import botocore_model, listing, processes
from sagemaker_hf.local.botocore_model import SAGEMAKER, validation_error
from sagemaker_hf.local.mode import is_gpu_instance_type, is_local_instance_type
from sagemaker_hf.local.registry import Record, Registry
from sagemaker_hf.local.settings import LocalModeSettings
from sagemaker_hf.local.training.container import (
    JobTree,
    child_environment,
    decoded_hyperparameters,
    script_command,
    stage_inputs,
    training_environment,
    upload_checkpoints,
    write_files,
)
from sagemaker_hf.local.training.runner import ARTIFACTS_DIR, RESULT_NAME, SPEC_NAME

logger = logging.getLogger(__name__)

JOBS_FOLDER = "training-jobs"
LOG_NAME = "training.log"
_LAUNCH_FLAGS = (
    "sagemaker_torch_distributed_enabled",
    "sagemaker_pytorch_ddp_enabled",
    "sagemaker_mpi_enabled",
    "sagemaker_distributed_dataparallel_enabled",
    "sagemaker_pytorch_xla_multi_worker_enabled",
)
_HELP = "Local mode trains on this machine: use instance_type='local' (or 'local_gpu')."


class RunnerProcess(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pid: int
    identity: str | None  # the kernel's start time of ``pid``: a reused pid has another one


class TrainingJobRecord(Record):
    folder: ClassVar[str] = JOBS_FOLDER

    request: dict[str, Any]  # the CreateTrainingJob request as validated
    work_dir: Path
    process: RunnerProcess | None = None
    status: str = "InProgress"
    secondary_status: str = "Starting"
    failure_reason: str | None = None
    started: datetime | None = None
    ended: datetime | None = None
    modified: datetime
    transitions: list[dict[str, Any]] = Field(default_factory=list)
    stop_requested: bool = False

    @property
    def log_path(self) -> Path:
        return self.work_dir / LOG_NAME

    @property
    def tree(self) -> JobTree:
        return JobTree(self.work_dir / "opt" / "ml")

    @property
    def output_prefix(self) -> str:
        return storage.join_uri(self.request["OutputDataConfig"]["S3OutputPath"], self.name, "output")

    @property
    def uncompressed(self) -> bool:
        """``CompressionType="NONE"``: the model folder is uploaded file by file, as SageMaker does."""
        return self.request["OutputDataConfig"].get("CompressionType") == "NONE"

    @property
    def model_artifacts(self) -> str:
        if self.uncompressed:
            return f"{self.output_prefix}/model/"
        return f"{self.output_prefix}/model.tar.gz"

    def move_to(self, status: str, secondary: str, message: str) -> None:
        now = botocore_model.now()
        if self.transitions and "EndTime" not in self.transitions[-1]:
            self.transitions[-1]["EndTime"] = now
        self.transitions.append({"Status": secondary, "StartTime": now, "StatusMessage": message})
        self.status, self.secondary_status, self.modified = status, secondary, now
        if status != "InProgress":
            self.ended = now
            self.transitions[-1]["EndTime"] = now


def jobs_dir(settings: LocalModeSettings) -> Path:
    return settings.home / JOBS_FOLDER


def _check(request: dict[str, Any]) -> None:
    operation = "CreateTrainingJob"
    resources = request.get("ResourceConfig", {})
    instance_type = resources.get("InstanceType") or "(none)"
    if not is_local_instance_type(instance_type):
        raise validation_error(operation, f"InstanceType {instance_type!r} cannot run locally. {_HELP}")
    hyperparameters = decoded_hyperparameters(request)
    if PROGRAM not in hyperparameters or SUBMIT_DIRECTORY not in hyperparameters:
        raise validation_error(
            operation,
            "Local mode runs framework training scripts: HyperParameters need sagemaker_program and "
            "sagemaker_submit_directory (sagemaker_hf.HuggingFace sets both).",
        )
    for channel in request.get("InputDataConfig", []):
        source = channel["DataSource"].get("S3DataSource", {})
        if source.get("S3DataType", "S3Prefix") != "S3Prefix" or channel.get("InputMode") == "Pipe":
            raise validation_error(
                operation,
                f"Channel {channel['ChannelName']!r}: local mode reads S3Prefix inputs in File (or FastFile) "
                "mode only.",
            )
    if resources.get("InstanceCount", 1) > 1:
        logger.warning(
            "Local mode trains on one host; InstanceCount=%s is ignored.", resources["InstanceCount"]
        )
    launchers = [flag for flag in _LAUNCH_FLAGS if hyperparameters.get(flag)]
    if launchers:
        logger.warning("Local mode runs the script as one process; %s is ignored.", ", ".join(launchers))


def _num_gpus(instance_type: str) -> int:
    if not is_gpu_instance_type(instance_type):
        return 0
    import subprocess

    try:
        listing = subprocess.run(["nvidia-smi", "--list-gpus"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return 0
    return sum(1 for line in listing.stdout.splitlines() if line.startswith("GPU "))


def create(
    settings: LocalModeSettings, registry: Registry, storage_session: Any, request: dict[str, Any]
) -> dict[str, Any]:
    operation = "CreateTrainingJob"
    botocore_model.validate(SAGEMAKER, operation, request)
    _check(request)
    name = request["TrainingJobName"]
    arn = botocore_model.arn(settings.region, settings.account_id, "training-job", name)
    work_dir = jobs_dir(settings) / name
    with registry.lock():
        if registry.load(TrainingJobRecord, name) is not None:
            raise validation_error(
                operation,
                f"Training job names must be unique within an AWS account and "
                f"region, and a training job with this name already exists ({arn})",
            )
        shutil.rmtree(work_dir, ignore_errors=True)  # a leftover of a job whose record is gone
        work_dir.mkdir(parents=True)
        now = botocore_model.now()
        record = TrainingJobRecord(
            name=name, arn=arn, created=now, modified=now, request=request, work_dir=work_dir
        )
        record.move_to("InProgress", "Starting", "Preparing the instances for training")
        registry.save(record)
    record.move_to("InProgress", "Downloading", "Downloading input data")
    tree = record.tree
    try:
        tree.make()
        stage_inputs(storage_session, request, tree)
        instance_type = request["ResourceConfig"]["InstanceType"]
        contract = training_environment(request, tree, _num_gpus(instance_type))
        write_files(contract.files)
        command = script_command(request, tree, contract.arguments)
    except Exception as error:  # whatever stops the set-up fails the job with its reason, as on SageMaker
        record.failure_reason = f"ClientError: {error}"
        record.move_to("Failed", "Failed", f"Preparing the job failed: {error}")
        _save(registry, record)
        return {"TrainingJobArn": arn, "ResponseMetadata": botocore_model.response_metadata()}
    spec = {
        "command": command,
        "code_dir": str(tree.code),
        "model_dir": str(tree.model),
        "output_data_dir": str(tree.output_data),
        "failure_file": str(tree.failure_file),
        "max_run": request["StoppingCondition"].get("MaxRuntimeInSeconds", 86400),
    }
    (work_dir / SPEC_NAME).write_text(json.dumps(spec))
    environment = child_environment(request, contract.variables, is_gpu_instance_type(instance_type), tree)
    runner = [sys.executable, "-m", "sagemaker_hf.local.training.runner", str(work_dir)]
    pid, identity = processes.spawn(runner, environment, work_dir, record.log_path)
    record.process = RunnerProcess(pid=pid, identity=identity)
    record.started = botocore_model.now()
    record.move_to("InProgress", "Training", "Training image download completed. Training in progress.")
    _save(registry, record)
    return {"TrainingJobArn": arn, "ResponseMetadata": botocore_model.response_metadata()}


def _save(registry: Registry, record: TrainingJobRecord) -> None:
    with registry.lock():
        registry.save(record)


def _existing(registry: Registry, operation: str, name: str) -> TrainingJobRecord:
    record = registry.load(TrainingJobRecord, name)
    if record is None:
        raise validation_error(
            operation, f"Requested resource not found: training job {name!r} does not exist."
        )
    return record


def _failure_reason(record: TrainingJobRecord, result: dict[str, Any] | None) -> str:
    tail = "Log tail:\n" + processes.log_tail(record.log_path, max_lines=20, max_chars=2500)
    if result is None:
        pid = record.process.pid if record.process else "?"
        return f"InternalServerError: the training process (pid {pid}) ended without a result.\n{tail}"
    if result.get("failure"):
        return f"AlgorithmError: {result['failure'].strip()}\n{tail}"
    stage = "installing requirements.txt" if result.get("stage") == "requirements" else "the script"
    return f"AlgorithmError: ExecuteUserScriptError: ExitCode {result['exit_code']} ({stage}).\n{tail}"


def _finalize(settings: LocalModeSettings, registry: Registry, storage_session: Any, name: str) -> None:
    """Upload what the runner left and settle the status, once (see the module docstring)."""
    with registry.lock():
        record = registry.load(TrainingJobRecord, name)
        if record is None or record.status != "InProgress":
            return
        result_path = record.work_dir / RESULT_NAME
        result = json.loads(result_path.read_text()) if result_path.is_file() else None
        succeeded = result is not None and (result["exit_code"] == 0 or result.get("stopped"))
        if succeeded:
            record.move_to("InProgress", "Uploading", "Uploading generated training model")
            artifacts = record.work_dir / ARTIFACTS_DIR
            try:
                if record.uncompressed:
                    storage.upload_path(storage_session, record.tree.model, record.model_artifacts)
                archives = (MODEL_ARCHIVE_NAME, OUTPUT_ARCHIVE_NAME)
                for archive in archives[1:] if record.uncompressed else archives:
                    if (artifacts / archive).is_file():
                        storage.upload_file(
                            storage_session, artifacts / archive, f"{record.output_prefix}/{archive}"
                        )
                upload_checkpoints(storage_session, record.request, record.tree)
            except Exception as error:  # the job fails with the reason, nothing is lost: the files stay
                record.failure_reason = (
                    f"ClientError: uploading the results to {record.output_prefix} failed: {error}"
                )
                record.move_to("Failed", "Failed", "Uploading the results failed")
                registry.save(record)
                return
        if result is None and record.stop_requested:
            record.move_to("Stopped", "Stopped", "Training job stopped before it could save its model")
        elif succeeded and result.get("stopped"):
            record.move_to("Stopped", result["stopped"], "Training job stopped")
        elif succeeded:
            record.move_to("Completed", "Completed", "Training job completed")
        else:
            record.failure_reason = _failure_reason(record, result)
            record.move_to("Failed", "Failed", "Training job failed")
        registry.save(record)
    if succeeded:
        shutil.rmtree(record.work_dir / "opt", ignore_errors=True)  # inputs and outputs are uploaded


def _observe(
    settings: LocalModeSettings, registry: Registry, storage_session: Any, name: str
) -> TrainingJobRecord:
    record = _existing(registry, "DescribeTrainingJob", name)
    if record.status != "InProgress" or record.process is None:
        return record
    processes.exit_code(record.process.pid)  # reaps the runner if this process started it
    finished = (record.work_dir / RESULT_NAME).is_file()
    if finished or not processes.is_running(record.process.pid, record.process.identity):
        _finalize(settings, registry, storage_session, name)
        return _existing(registry, "DescribeTrainingJob", name)
    return record


def describe(
    settings: LocalModeSettings, registry: Registry, storage_session: Any, request: dict[str, Any]
) -> dict[str, Any]:
    botocore_model.validate(SAGEMAKER, "DescribeTrainingJob", request)
    record = _observe(settings, registry, storage_session, request["TrainingJobName"])
    job = record.request
    response: dict[str, Any] = {
        "TrainingJobName": record.name,
        "TrainingJobArn": record.arn,
        "ModelArtifacts": {"S3ModelArtifacts": record.model_artifacts},
        "TrainingJobStatus": record.status,
        "SecondaryStatus": record.secondary_status,
        "HyperParameters": job.get("HyperParameters", {}),
        "AlgorithmSpecification": job["AlgorithmSpecification"],
        "RoleArn": job["RoleArn"],
        "OutputDataConfig": job["OutputDataConfig"],
        "ResourceConfig": job["ResourceConfig"],
        "StoppingCondition": job["StoppingCondition"],
        "CreationTime": record.created,
        "LastModifiedTime": record.modified,
        "SecondaryStatusTransitions": record.transitions,
        "EnableNetworkIsolation": job.get("EnableNetworkIsolation", False),
        "EnableManagedSpotTraining": job.get("EnableManagedSpotTraining", False),
    }
    optional = {
        key: job[key]
        for key in ("InputDataConfig", "VpcConfig", "CheckpointConfig", "Environment", "DebugHookConfig")
        if key in job
    }
    response.update(optional)
    if record.failure_reason:
        response["FailureReason"] = record.failure_reason
    if record.started is not None:
        response["TrainingStartTime"] = record.started
    if record.ended is not None:
        response["TrainingEndTime"] = record.ended
        seconds = max(1, int((record.ended - (record.started or record.created)).total_seconds()))
        response["TrainingTimeInSeconds"] = seconds  # nothing is billed locally
    return {**response, "ResponseMetadata": botocore_model.response_metadata()}


def stop(
    settings: LocalModeSettings, registry: Registry, storage_session: Any, request: dict[str, Any]
) -> dict[str, Any]:
    """SIGTERM the job (the script may save a checkpoint), wait for the runner to pack, then finalise."""
    operation = "StopTrainingJob"
    botocore_model.validate(SAGEMAKER, operation, request)
    name = request["TrainingJobName"]
    with registry.lock():
        record = _existing(registry, operation, name)
        if record.status != "InProgress":
            raise validation_error(
                operation, f"The training job {name!r} has already {record.status.lower()}."
            )
        record.stop_requested = True
        registry.save(record)
    if record.process is not None:
        processes.stop_group(record.process.pid, record.process.identity, settings.stop_timeout_seconds)
    _finalize(settings, registry, storage_session, name)
    return {"ResponseMetadata": botocore_model.response_metadata()}


def list_jobs(
    settings: LocalModeSettings, registry: Registry, storage_session: Any, request: dict[str, Any]
) -> dict[str, Any]:
    """ListTrainingJobs, with the filters, sorting and pages of :mod:`~sagemaker_hf.local.listing`."""
    botocore_model.validate(SAGEMAKER, listing.TRAINING_JOBS.operation, request)
    summaries = []
    for stored in registry.all(TrainingJobRecord):
        record = _observe(settings, registry, storage_session, stored.name)
        summary = {
            "TrainingJobName": record.name,
            "TrainingJobArn": record.arn,
            "CreationTime": record.created,
            "LastModifiedTime": record.modified,
            "TrainingJobStatus": record.status,
            "SecondaryStatus": record.secondary_status,
        }
        if record.ended is not None:
            summary["TrainingEndTime"] = record.ended
        summaries.append(summary)
    return listing.list_response(listing.TRAINING_JOBS, summaries, request)
