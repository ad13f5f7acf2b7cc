"""A local training job's ``/opt/ml`` tree, environment and command line: the container contract.

Under the job's working directory, ``opt/ml/`` is laid out as SageMaker lays out the
container's::

    opt/ml/code/                      the code (sourcedir.tar.gz extracted)
    opt/ml/input/config/              hyperparameters.json, inputdataconfig.json, resourceconfig.json
    opt/ml/input/data/<channel>/      each channel: a link to a local folder, or the s3:// objects
    opt/ml/model/                     SM_MODEL_DIR: packed into model.tar.gz at the end
    opt/ml/output/data/               SM_OUTPUT_DATA_DIR: packed into output.tar.gz
    opt/ml/checkpoints/               synced from/to CheckpointConfig.S3Uri

The script gets the ``SM_*`` variables of the SageMaker training toolkit, its
hyperparameters as ``--key value`` arguments (sorted, values JSON-decoded, strings
unquoted), and every ``/opt/ml/...`` path in a hyperparameter or the job's
``Environment`` rewritten to the local tree, so ``output_dir="/opt/ml/checkpoints"``
works unchanged.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sagemaker_hf import storage
from sagemaker_hf.container.training import (
    CONTAINER_ROOT,
    DEFAULT_CHECKPOINT_DIR,
    FRAMEWORK_PREFIX,
    LOG_LEVEL,
    PROGRAM,
    SCRIPT_MODE_HYPERPARAMETERS,
    SOURCE_ARCHIVE_NAME,
    SUBMIT_DIRECTORY,
    decode_hyperparameters,
)
from sagemaker_hf.local import processes
from sagemaker_hf.safetar import safe_extract

HOST = "algo-1"
FRAMEWORK_MODULE = "sagemaker_pytorch_container.training:main"


class SetupError(Exception):
    """The job's inputs or code could not be brought into place; the job fails with this reason."""


@dataclass(frozen=True)
class JobTree:
    """The paths of one job's local ``/opt/ml``."""

    root: Path  # the job's ``opt/ml``

    def local(self, container_path: str) -> str:
        """A container path (``/opt/ml/...``) as its local path; other paths unchanged."""
        if container_path == CONTAINER_ROOT or container_path.startswith(CONTAINER_ROOT + "/"):
            return str(self.root) + container_path[len(CONTAINER_ROOT) :]
        return container_path

    @property
    def code(self) -> Path:
        return self.root / "code"

    @property
    def input(self) -> Path:
        return self.root / "input"

    @property
    def config(self) -> Path:
        return self.root / "input" / "config"

    def channel(self, name: str) -> Path:
        return self.root / "input" / "data" / name

    @property
    def model(self) -> Path:
        return self.root / "model"

    @property
    def output(self) -> Path:
        return self.root / "output"

    @property
    def output_data(self) -> Path:
        return self.root / "output" / "data"

    @property
    def failure_file(self) -> Path:
        return self.root / "output" / "failure"

    def checkpoints(self, request: dict[str, Any]) -> Path:
        local_path = request.get("CheckpointConfig", {}).get("LocalPath") or DEFAULT_CHECKPOINT_DIR
        return Path(self.local(local_path))

    def make(self) -> None:
        for folder in (self.code, self.config, self.model, self.output_data, self.output / "intermediate"):
            folder.mkdir(parents=True, exist_ok=True)


def decoded_hyperparameters(request: dict[str, Any]) -> dict[str, Any]:
    """The job's hyperparameters, decoded as the container decodes them."""
    return decode_hyperparameters(request.get("HyperParameters") or {})


# ---- inputs --------------------------------------------------------------------------------


def _relative_key(prefix: str, key: str) -> str:
    """Where an object under an S3 prefix lands in the channel folder."""
    prefix = prefix.rstrip("/")
    if key == prefix:
        return key.rsplit("/", 1)[-1]
    if key.startswith(prefix + "/"):
        return key[len(prefix) + 1 :]
    return key[len(prefix.rsplit("/", 1)[0]) + 1 :] if "/" in prefix else key  # a sibling such as train.csv


def copy_from(storage_session: Any, uri: str, target: Path, link_local: bool) -> None:
    """Bring everything at ``uri`` (an s3:// prefix, a file:// URI or a path) below ``target``.

    With ``link_local``, a local folder becomes a symbolic link and a local file a link
    inside ``target``: no copy, as a local channel needs none.
    """
    if storage.is_s3(uri):
        location = storage.parse_s3_uri(uri)
        target.mkdir(parents=True, exist_ok=True)
        for object_uri in storage.list_uris(storage_session, uri):
            key = storage.parse_s3_uri(object_uri).key
            relative = _relative_key(location.key, key)
            if key.endswith("/"):
                continue  # a "folder" placeholder object
            if relative.startswith("/") or ".." in Path(relative).parts:
                raise SetupError(f"the object {object_uri} would land outside its folder ({relative!r})")
            storage.download_file(storage_session, object_uri, target / relative)
        return
    source = storage.local_path(uri).resolve()
    if not source.exists():
        if link_local:
            raise SetupError(f"the input {uri} does not exist")
        return  # no checkpoints yet
    if link_local and source.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(source, target_is_directory=True)
    elif link_local:
        target.mkdir(parents=True, exist_ok=True)
        (target / source.name).symlink_to(source)
    elif source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)
    else:
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / source.name)


def stage_inputs(storage_session: Any, request: dict[str, Any], tree: JobTree) -> None:
    """Channels, code and checkpoints into the tree (before the script starts)."""
    for channel in request.get("InputDataConfig", []):
        source = channel["DataSource"].get("S3DataSource")
        if source is None:
            raise SetupError(f"channel {channel['ChannelName']!r}: only S3DataSource inputs run locally")
        copy_from(storage_session, source["S3Uri"], tree.channel(channel["ChannelName"]), link_local=True)
    submit = decoded_hyperparameters(request).get(SUBMIT_DIRECTORY)
    if not isinstance(submit, str) or not submit:
        raise SetupError("HyperParameters has no sagemaker_submit_directory (the code to run)")
    _stage_code(storage_session, submit, tree)
    checkpoint_uri = request.get("CheckpointConfig", {}).get("S3Uri")
    if checkpoint_uri:
        copy_from(storage_session, checkpoint_uri, tree.checkpoints(request), link_local=False)


def _stage_code(storage_session: Any, submit: str, tree: JobTree) -> None:
    submit = tree.local(submit)  # the network-isolated "code" channel, staged like any channel
    if not storage.is_s3(submit) and storage.local_path(submit).is_dir():
        shutil.copytree(storage.local_path(submit), tree.code, dirs_exist_ok=True)
        return
    with tempfile.TemporaryDirectory(prefix="sagemaker-hf-code-") as scratch:
        archive = storage.download_file(storage_session, submit, Path(scratch) / SOURCE_ARCHIVE_NAME)
        safe_extract(archive, tree.code)


def upload_checkpoints(storage_session: Any, request: dict[str, Any], tree: JobTree) -> None:
    """Every file below the checkpoint folder to ``CheckpointConfig.S3Uri`` (after the script)."""
    checkpoint_uri = request.get("CheckpointConfig", {}).get("S3Uri")
    folder = tree.checkpoints(request)
    if not checkpoint_uri or not folder.is_dir():
        return
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        storage.upload_file(
            storage_session, path, storage.join_uri(checkpoint_uri, path.relative_to(folder).as_posix())
        )


# ---- the contract ----------------------------------------------------------------------------


def _env_value(value: Any) -> str:
    # As the training toolkit writes SM_* values: strings as they are, the rest as compact JSON.
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"))


def _argument_value(value: Any) -> str:
    # As the training toolkit passes hyperparameters: dicts as k=v,k=v, the rest as str().
    if isinstance(value, dict):
        return ",".join(f"{key}={item}" for key, item in sorted(value.items()))
    return "" if value is None else str(value)


def user_arguments(hyperparameters: dict[str, Any]) -> list[str]:
    """``--key value`` for each user hyperparameter, sorted by key (``-k`` for one letter)."""
    arguments = []
    for key in sorted(hyperparameters):
        arguments += [f"--{key}" if len(key) > 1 else f"-{key}", _argument_value(hyperparameters[key])]
    return arguments


def _rerooted(value: Any, tree: JobTree) -> Any:
    return tree.local(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class TrainingEnvironment:
    """What the script gets: its ``SM_*`` variables, its arguments, and the config files to write."""

    variables: dict[str, str]
    arguments: list[str]
    files: dict[
        Path, str
    ]  # path -> its text: input/config/{hyperparameters,inputdataconfig,resourceconfig}.json


def write_files(files: dict[Path, str]) -> None:
    """The one write of :func:`training_environment`'s result (the tree's folders exist by then)."""
    for path, text in files.items():
        path.write_text(text)


def training_environment(request: dict[str, Any], tree: JobTree, num_gpus: int) -> TrainingEnvironment:
    """The ``SM_*`` environment, the command-line arguments and the config files of the script.

    Pure: it reads the request and the tree's paths, and writes nothing (see :func:`write_files`).
    """
    everything = decoded_hyperparameters(request)
    framework = {key: value for key, value in everything.items() if key.startswith(FRAMEWORK_PREFIX)}
    user = {key: _rerooted(value, tree) for key, value in everything.items() if key not in framework}
    instance_type = request["ResourceConfig"]["InstanceType"]
    channels = {channel["ChannelName"]: channel for channel in request.get("InputDataConfig", [])}
    input_data_config = {
        name: {
            "TrainingInputMode": channel.get("InputMode")
            or request["AlgorithmSpecification"]["TrainingInputMode"],
            "S3DistributionType": channel["DataSource"]["S3DataSource"].get(
                "S3DataDistributionType", "FullyReplicated"
            ),
            "RecordWrapperType": channel.get("RecordWrapperType", "None"),
            **({"ContentType": channel["ContentType"]} if "ContentType" in channel else {}),
        }
        for name, channel in channels.items()
    }
    group = {"instance_group_name": "homogeneousCluster", "instance_type": instance_type, "hosts": [HOST]}
    resource_config = {
        "current_host": HOST,
        "current_instance_type": instance_type,
        "current_group_name": "homogeneousCluster",
        "hosts": [HOST],
        "instance_groups": [group],
        "network_interface_name": "eth0",
    }
    files = {
        tree.config / "hyperparameters.json": json.dumps(request.get("HyperParameters") or {}),
        tree.config / "inputdataconfig.json": json.dumps(input_data_config),
        tree.config / "resourceconfig.json": json.dumps(resource_config),
    }

    program = str(framework.get(PROGRAM, ""))
    arguments = user_arguments(user)
    training_env = {
        "additional_framework_parameters": {
            k: v for k, v in framework.items() if k not in SCRIPT_MODE_HYPERPARAMETERS
        },
        "channel_input_dirs": {name: str(tree.channel(name)) for name in channels},
        "current_host": HOST,
        "current_instance_group": "homogeneousCluster",
        "current_instance_type": instance_type,
        "distribution_hosts": [HOST],
        "framework_module": FRAMEWORK_MODULE,
        "hosts": [HOST],
        "hyperparameters": user,
        "input_config_dir": str(tree.config),
        "input_data_config": input_data_config,
        "input_dir": str(tree.input),
        "instance_groups": ["homogeneousCluster"],
        "instance_groups_dict": {"homogeneousCluster": group},
        "is_hetero": False,
        "is_master": True,
        "job_name": request["TrainingJobName"],
        "log_level": framework.get(LOG_LEVEL, 20),
        "master_hostname": HOST,
        "model_dir": str(tree.model),
        "module_dir": framework.get(SUBMIT_DIRECTORY, ""),
        "module_name": program[:-3] if program.endswith(".py") else program,
        "network_interface_name": "eth0",
        "num_cpus": os.cpu_count() or 1,
        "num_gpus": num_gpus,
        "num_neurons": 0,
        "output_data_dir": str(tree.output_data),
        "output_dir": str(tree.output),
        "output_intermediate_dir": str(tree.output / "intermediate"),
        "resource_config": resource_config,
        "user_entry_point": program,
    }
    environment = {f"SM_{key.upper()}": _env_value(value) for key, value in training_env.items()}
    environment.update(
        {
            "SM_CHANNELS": _env_value(sorted(channels)),
            "SM_HPS": _env_value(user),
            "SM_USER_ARGS": _env_value(arguments),
            "SM_TRAINING_ENV": _env_value(training_env),
            "SM_FRAMEWORK_PARAMS": _env_value(training_env["additional_framework_parameters"]),
            **{f"SM_CHANNEL_{name.upper()}": str(tree.channel(name)) for name in channels},
            **{f"SM_HP_{key.upper()}": _env_value(value) for key, value in user.items()},
        }
    )
    return TrainingEnvironment(environment, arguments, files)


def child_environment(
    request: dict[str, Any], contract_env: dict[str, str], gpu: bool, tree: JobTree
) -> dict[str, str]:
    """The host's environment (minus its SM_*/SAGEMAKER_*), the job's Environment, then the contract."""
    own = {
        **{name: tree.local(value) for name, value in (request.get("Environment") or {}).items()},
        **contract_env,
        "PYTHONUNBUFFERED": "1",
        "TRAINING_JOB_NAME": request["TrainingJobName"],
    }
    return processes.child_environment(own, gpu)


def script_command(request: dict[str, Any], tree: JobTree, arguments: list[str]) -> list[str]:
    program = decoded_hyperparameters(request).get(PROGRAM)
    if not isinstance(program, str) or not (tree.code / program).is_file():
        raise SetupError(f"the entry point {program!r} is not in the code (sagemaker_submit_directory)")
    return [sys.executable, program, *arguments]
