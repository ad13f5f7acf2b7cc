"""Distributed training for the ``HuggingFace`` estimator: SDK v2's ``distribution`` dict.

``check_distribution()`` validates the dict (pydantic models below) against the instance
type and returns it; ``distribution_hyperparameters()`` gives the exact ``sagemaker_*``
flags SDK v2 sends for it; ``distribution_from_hyperparameters()`` reads them back (for
``attach()``).

Accepted strategies, as in SDK v2::

    {"smdistributed": {"dataparallel": {"enabled": True, "custom_mpi_options": "..."}}}
    {"smdistributed": {"modelparallel": {"enabled": True, "parameters": {"partitions": 2}}},
     "mpi": {"enabled": True, "processes_per_host": 8}}
    {"torch_distributed": {"enabled": True}}
    {"pytorchddp": {"enabled": True}}
    {"mpi": {"enabled": True, "processes_per_host": 4, "custom_mpi_options": "..."}}
    {"pytorchxla": {"enabled": True}}          # with compiler_config only
    {"parameter_server": {"enabled": True}}    # TensorFlow
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sagemaker_hf._validation import configuration_error
from sagemaker_hf.errors import ConfigurationError

# SDK v2 (fw_utils): where SageMaker's data parallel library runs.
SMDDP_INSTANCE_TYPES = ("ml.p3.16xlarge", "ml.p3dn.24xlarge", "ml.p4d.24xlarge", "ml.p4de.24xlarge")
# SDK v2 2.257.7 (fw_utils): the PyTorch versions whose images launch torch_distributed (torchrun),
# as typed (v2 compared the strings: "1.13" is not "1.13.1").
TORCH_DISTRIBUTED_GPU_VERSIONS = (
    "1.13.1", "2.0.0", "2.0.1", "2.1.0", "2.1.2", "2.2.0", "2.3.0",
    "2.3.1", "2.4.1", "2.5.1", "2.6.0", "2.7.1", "2.8.0",
)  # fmt: skip
TORCH_DISTRIBUTED_TRAINIUM_VERSIONS = ("1.11", "1.11.0", "1.12", "1.12.0", "1.12.1", "1.13.1", "2.0.0")
_INSTANCE_FAMILY = re.compile(r"^ml[._]([a-z\d\-]+)\.?\w*$")

PYTORCH_DDP = "sagemaker_pytorch_ddp_enabled"
TORCH_DISTRIBUTED = "sagemaker_torch_distributed_enabled"
PYTORCH_XLA = "sagemaker_pytorch_xla_multi_worker_enabled"
PARAMETER_SERVER = "sagemaker_parameter_server_enabled"
MPI = "sagemaker_mpi_enabled"
MPI_PROCESSES_PER_HOST = "sagemaker_mpi_num_of_processes_per_host"
MPI_CUSTOM_OPTIONS = "sagemaker_mpi_custom_mpi_options"
SMDDP = "sagemaker_distributed_dataparallel_enabled"
SMDDP_CUSTOM_OPTIONS = "sagemaker_distributed_dataparallel_custom_mpi_options"
INSTANCE_TYPE = "sagemaker_instance_type"
MODEL_PARALLEL_PARAMETERS = "mp_parameters"
INSTANCE_GROUPS = "sagemaker_distribution_instance_groups"

# Every hyperparameter this module may set (attach() keeps them out of the user's own).
DISTRIBUTION_HYPERPARAMETERS = frozenset(
    {
        PYTORCH_DDP,
        TORCH_DISTRIBUTED,
        PYTORCH_XLA,
        PARAMETER_SERVER,
        MPI,
        MPI_PROCESSES_PER_HOST,
        MPI_CUSTOM_OPTIONS,
        SMDDP,
        SMDDP_CUSTOM_OPTIONS,
        INSTANCE_TYPE,
        MODEL_PARALLEL_PARAMETERS,
        INSTANCE_GROUPS,
    }
)
_EXAMPLE = "e.g. distribution={'torch_distributed': {'enabled': True}}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Switch(_Strict):
    enabled: bool = False


class MpiOptions(Switch):
    processes_per_host: int | None = Field(default=None, ge=1)
    custom_mpi_options: str = ""


class DataParallelOptions(Switch):
    custom_mpi_options: str = ""


class ModelParallelOptions(Switch):
    parameters: dict[str, Any] = Field(default_factory=dict)

    @field_validator("parameters")
    @classmethod
    def _partitions(cls, parameters: dict[str, Any]) -> dict[str, Any]:
        partitions = parameters.get("partitions")
        if not isinstance(partitions, int) or isinstance(partitions, bool) or partitions < 1:
            raise ValueError(
                f"modelparallel parameters need 'partitions', a whole number >= 1 (got {partitions!r}), "
                "e.g. {'partitions': 2, 'microbatches': 4}."
            )
        return parameters


class SmDistributed(_Strict):
    dataparallel: DataParallelOptions | None = None
    modelparallel: ModelParallelOptions | None = None

    @model_validator(mode="after")
    def _one_strategy(self) -> SmDistributed:
        if (self.dataparallel is None) == (self.modelparallel is None):
            raise ValueError(
                "smdistributed takes exactly one of 'dataparallel' or 'modelparallel', e.g. "
                "{'smdistributed': {'dataparallel': {'enabled': True}}}."
            )
        return self


class Distribution(_Strict):
    """SDK v2's ``distribution`` dict, validated."""

    smdistributed: SmDistributed | None = None
    mpi: MpiOptions | None = None
    torch_distributed: Switch | None = None
    pytorchddp: Switch | None = None
    pytorchxla: Switch | None = None
    parameter_server: Switch | None = None

    @model_validator(mode="after")
    def _compatible(self) -> Distribution:
        model_parallel = self.smdistributed is not None and self.smdistributed.modelparallel is not None
        model_parallel_enabled = model_parallel and self.smdistributed.modelparallel.enabled  # type: ignore[union-attr]
        if model_parallel_enabled and (self.mpi is None or not self.mpi.enabled):
            raise ValueError(
                "smdistributed modelparallel runs under MPI: add 'mpi': {'enabled': True, "
                "'processes_per_host': <GPUs per instance>}."
            )
        launchers = [
            name
            for name in ("torch_distributed", "pytorchddp", "pytorchxla", "parameter_server")
            if getattr(self, name) is not None and getattr(self, name).enabled
        ]
        if self.smdistributed is not None and self.smdistributed.dataparallel is not None:
            launchers += ["smdistributed dataparallel"] if self.smdistributed.dataparallel.enabled else []
        if self.mpi is not None and self.mpi.enabled and not model_parallel:
            launchers.append("mpi")
        if len(launchers) > 1:
            raise ValueError(f"pick one way to launch training, not {' and '.join(launchers)} ({_EXAMPLE}).")
        return self

    @property
    def data_parallel_enabled(self) -> bool:
        options = self.smdistributed.dataparallel if self.smdistributed else None
        return options is not None and options.enabled


def _group_names(groups: list[Any]) -> list[str]:
    """Instance groups named by name, or by their API dict."""
    return [group["InstanceGroupName"] if isinstance(group, dict) else str(group) for group in groups]


def _training_group(distribution: dict[str, Any], instance_groups: list[dict[str, Any]] | None) -> str | None:
    """The instance group that trains, in a heterogeneous cluster (v2's rules); None without groups."""
    named = _group_names(distribution.get("instance_groups") or [])
    if not instance_groups:
        if named:
            raise ConfigurationError(
                "distribution['instance_groups'] needs the estimator's instance_groups=[{'InstanceGroupName'"
                ": ..., 'InstanceType': ..., 'InstanceCount': ...}] (a heterogeneous cluster)."
            )
        return None
    names = [group["InstanceGroupName"] for group in instance_groups]
    if not named and len(names) == 1:
        named = names  # v2 chose the only group itself
    if len(named) != 1 or named[0] not in names:
        raise ConfigurationError(
            f"distribution['instance_groups']={named!r} must name one of the estimator's instance groups "
            f"({', '.join(names)}): the one that trains."
        )
    return named[0]


def _check_torch_distributed(instance_type: str | None, pytorch_version: str | None) -> None:
    """v2's rule: torchrun runs on GPU and Trainium instances, in the images of these versions."""
    from sagemaker_hf.session import is_local_instance_type

    if pytorch_version is None or instance_type is None or is_local_instance_type(instance_type):
        return  # a custom image decides for itself; local mode runs no launcher
    match = _INSTANCE_FAMILY.match(instance_type)
    family = match[1] if match else ""
    if family.startswith(("p", "g")):
        versions = TORCH_DISTRIBUTED_GPU_VERSIONS
    elif family.startswith("trn"):
        versions = TORCH_DISTRIBUTED_TRAINIUM_VERSIONS
    else:
        raise ConfigurationError(
            f"distribution={{'torch_distributed': ...}} runs on GPU (ml.p*, ml.g*) and Trainium (ml.trn*) "
            f"instances, not instance_type={instance_type!r}."
        )
    if pytorch_version not in versions:
        raise ConfigurationError(
            f"pytorch_version={pytorch_version!r} has no torch_distributed launcher on {instance_type}; use "
            f"one of {', '.join(versions)} (the versions as SDK v2 lists them), or "
            "distribution={'pytorchddp': {'enabled': True}}."
        )


def check_distribution(
    distribution: dict[str, Any] | None,
    instance_type: str | None,
    instance_groups: list[dict[str, Any]] | None = None,
    pytorch_version: str | None = None,
) -> dict[str, Any]:
    """``distribution`` validated (``{}`` when None); errors name the key and the fix.

    ``pytorch_version`` is None with a custom ``image_uri`` (whose launchers are not known).
    """
    if not distribution:
        return {}
    if not isinstance(distribution, dict):
        raise ConfigurationError(f"distribution={distribution!r} must be a dict ({_EXAMPLE}).")
    group = _training_group(distribution, instance_groups)
    if group is not None:
        distribution = {**distribution, "instance_groups": [group]}
        instance_type = next(
            g["InstanceType"] for g in instance_groups or [] if g["InstanceGroupName"] == group
        )
    strategies = {key: value for key, value in distribution.items() if key != "instance_groups"}
    unknown = sorted(set(strategies) - set(Distribution.model_fields))
    if unknown:
        raise ConfigurationError(
            f"distribution has unknown strategies {unknown}; use one of "
            f"{', '.join(Distribution.model_fields)} ({_EXAMPLE})."
        )
    try:
        parsed = Distribution.model_validate(strategies)
    except ValidationError as error:
        raise configuration_error("distribution", error) from None
    if parsed.torch_distributed is not None and parsed.torch_distributed.enabled:
        _check_torch_distributed(instance_type, pytorch_version)
    if parsed.data_parallel_enabled and instance_type not in SMDDP_INSTANCE_TYPES:
        raise ConfigurationError(
            f"instance_type={instance_type!r} cannot run smdistributed dataparallel; it runs on "
            f"{', '.join(SMDDP_INSTANCE_TYPES)}. Use one of those, or "
            "distribution={'torch_distributed': {'enabled': True}} on other GPU instances."
        )
    return distribution


def distribution_hyperparameters(distribution: dict[str, Any], instance_type: str | None) -> dict[str, Any]:
    """The ``sagemaker_*`` flags SDK v2's HuggingFace estimator sends (before JSON encoding)."""
    if not distribution:
        return {}
    parsed = Distribution.model_validate(
        {key: value for key, value in distribution.items() if key != "instance_groups"}
    )
    with_instance = {INSTANCE_TYPE: instance_type} if instance_type is not None else {}
    # v2 gives pytorchddp, then torch_distributed, precedence over everything else.
    if parsed.pytorchddp is not None and parsed.pytorchddp.enabled:
        return {PYTORCH_DDP: True, **with_instance}
    if parsed.torch_distributed is not None and parsed.torch_distributed.enabled:
        return {TORCH_DISTRIBUTED: True, **with_instance}
    flags: dict[str, Any] = {}
    if "instance_groups" in distribution:
        flags[INSTANCE_GROUPS] = _group_names(distribution["instance_groups"])
    if parsed.pytorchxla is not None:
        flags[PYTORCH_XLA] = parsed.pytorchxla.enabled
    if parsed.parameter_server is not None:
        flags[PARAMETER_SERVER] = parsed.parameter_server.enabled
    if parsed.mpi is not None:
        flags[MPI] = parsed.mpi.enabled
        if parsed.mpi.processes_per_host:
            flags[MPI_PROCESSES_PER_HOST] = parsed.mpi.processes_per_host
        flags[MPI_CUSTOM_OPTIONS] = parsed.mpi.custom_mpi_options
        model_parallel = parsed.smdistributed.modelparallel if parsed.smdistributed else None
        if model_parallel is not None and model_parallel.enabled:
            flags[MODEL_PARALLEL_PARAMETERS] = model_parallel.parameters
    if parsed.smdistributed is not None:
        flags[SMDDP] = parsed.data_parallel_enabled
        flags[INSTANCE_TYPE] = instance_type
        if parsed.data_parallel_enabled:
            flags[SMDDP_CUSTOM_OPTIONS] = parsed.smdistributed.dataparallel.custom_mpi_options  # type: ignore[union-attr]
    return flags


def distribution_from_hyperparameters(hyperparameters: dict[str, Any]) -> dict[str, Any]:
    """The ``distribution`` dict a job was started with, rebuilt from its decoded flags."""
    if hyperparameters.get(PYTORCH_DDP):
        return {"pytorchddp": {"enabled": True}}
    if hyperparameters.get(TORCH_DISTRIBUTED):
        return {"torch_distributed": {"enabled": True}}
    distribution: dict[str, Any] = {}
    if PYTORCH_XLA in hyperparameters:
        distribution["pytorchxla"] = {"enabled": bool(hyperparameters[PYTORCH_XLA])}
    if PARAMETER_SERVER in hyperparameters:
        distribution["parameter_server"] = {"enabled": bool(hyperparameters[PARAMETER_SERVER])}
    if MPI in hyperparameters:
        mpi: dict[str, Any] = {"enabled": bool(hyperparameters[MPI])}
        if hyperparameters.get(MPI_PROCESSES_PER_HOST):
            mpi["processes_per_host"] = hyperparameters[MPI_PROCESSES_PER_HOST]
        if hyperparameters.get(MPI_CUSTOM_OPTIONS):
            mpi["custom_mpi_options"] = hyperparameters[MPI_CUSTOM_OPTIONS]
        distribution["mpi"] = mpi
    if MODEL_PARALLEL_PARAMETERS in hyperparameters:
        parameters = hyperparameters[MODEL_PARALLEL_PARAMETERS]
        distribution["smdistributed"] = {"modelparallel": {"enabled": True, "parameters": parameters}}
    elif SMDDP in hyperparameters:
        options: dict[str, Any] = {"enabled": bool(hyperparameters[SMDDP])}
        if hyperparameters.get(SMDDP_CUSTOM_OPTIONS):
            options["custom_mpi_options"] = hyperparameters[SMDDP_CUSTOM_OPTIONS]
        distribution["smdistributed"] = {"dataparallel": options}
    if INSTANCE_GROUPS in hyperparameters:
        distribution["instance_groups"] = hyperparameters[INSTANCE_GROUPS]
    return distribution
