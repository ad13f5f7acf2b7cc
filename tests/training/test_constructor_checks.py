"""Bad estimator arguments fail at construction, before any API call, naming the argument and the fix."""

from __future__ import annotations

from typing import Any

import pytest

from sagemaker_hf import HuggingFace, TrainingCompilerConfig
from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.training.inputs import TrainingInput
from tests.training.conftest import GPU_INSTANCE, MULTI_GPU_INSTANCE, VERSIONS

COMPILER_VERSIONS = {"transformers_version": "4.21.1", "pytorch_version": "1.11.0", "py_version": "py38"}

# case -> (arguments on top of a valid estimator, words the error must contain)
BAD_ARGUMENTS: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "version parts differ": (
        {"transformers_version": "4.26", "pytorch_version": "1.13.1"},
        ("same number of version parts", "4.26.0 with 1.13.1"),
    ),
    "two frameworks": ({"tensorflow_version": "2.6"}, ("both of pytorch_version and tensorflow_version",)),
    "no framework": ({"pytorch_version": None}, ("neither", "pytorch_version")),
    "no py_version": ({"py_version": None}, ("py_version", "py39")),
    "py2": ({"py_version": "py2"}, ("py2", "py39")),
    "no instance type": ({"instance_type": None}, ("instance_type", "ml.p3.2xlarge")),
    "spot without max_wait": ({"use_spot_instances": True}, ("max_wait", "use_spot_instances")),
    "max_wait below max_run": (
        {"use_spot_instances": True, "max_run": 3600, "max_wait": 600},
        ("max_wait=600", ">= max_run", "max_wait=7200"),
    ),
    "max_wait without spot": ({"max_wait": 7200}, ("use_spot_instances=True",)),
    "checkpoint path alone": ({"checkpoint_local_path": "/opt/ml/checkpoints"}, ("checkpoint_s3_uri",)),
    "instance count": ({"instance_count": 0}, ("instance_count",)),
    "input mode": ({"input_mode": "Stream"}, ("input_mode", "FastFile")),
    "metric definition": ({"metric_definitions": [{"Name": "loss"}]}, ("metric_definitions", "Regex")),
    "metric regex": ({"metric_definitions": [{"Name": "loss", "Regex": "(["}]}, ("does not compile",)),
    "environment name": ({"environment": {"1BAD": "x"}}, ("environment", "1BAD")),
    "half a VPC": ({"subnets": ["subnet-1"]}, ("security_group_ids",)),
    "reserved hyperparameter": (
        {"hyperparameters": {"sagemaker_program": "x.py"}},
        ("sagemaker_program", "set by the estimator"),
    ),
    "hyperparameter JSON cannot hold": ({"hyperparameters": {"when": object()}}, ("JSON",)),
    "two launchers": (
        {"distribution": {"torch_distributed": {"enabled": True}, "pytorchddp": {"enabled": True}}},
        ("torch_distributed and pytorchddp",),
    ),
    "model parallel without mpi": (
        {
            "distribution": {
                "smdistributed": {"modelparallel": {"enabled": True, "parameters": {"partitions": 2}}}
            }
        },
        ("modelparallel runs under MPI",),
    ),
    "model parallel without partitions": (
        {
            "distribution": {
                "smdistributed": {"modelparallel": {"enabled": True, "parameters": {}}},
                "mpi": {"enabled": True},
            }
        },
        ("partitions",),
    ),
    "unknown strategy": ({"distribution": {"horovod": {"enabled": True}}}, ("distribution", "horovod")),
    "data parallel instance": (
        {"distribution": {"smdistributed": {"dataparallel": {"enabled": True}}}},
        ("ml.p3.2xlarge", "smdistributed dataparallel", "ml.p4d.24xlarge"),
    ),
    "heterogeneous cluster": ({"distribution": {"instance_groups": ["a"]}}, ("instance_groups",)),
    "xla without the compiler": (
        {"distribution": {"pytorchxla": {"enabled": True}}},
        ("pytorchxla", "compiler_config=TrainingCompilerConfig()"),
    ),
    "compiler config type": ({"compiler_config": {"enabled": True}}, ("TrainingCompilerConfig",)),
    "compiler on a CPU instance": (
        {**COMPILER_VERSIONS, "instance_type": "ml.m5.xlarge", "compiler_config": TrainingCompilerConfig()},
        ("ml.m5.xlarge", "p3", "g5"),
    ),
    "compiler with an image": (
        {"image_uri": "my/image:1", "compiler_config": TrainingCompilerConfig()},
        ("image_uri", "own images"),
    ),
    "compiler PyTorch version": (
        {"compiler_config": TrainingCompilerConfig()},
        ("pytorch_version='1.13'", "1.9 to 1.11"),
    ),
    "compiler with smdistributed": (
        {
            **COMPILER_VERSIONS,
            "instance_type": MULTI_GPU_INSTANCE,
            "compiler_config": TrainingCompilerConfig(),
            "distribution": {"smdistributed": {"dataparallel": {"enabled": True}}},
        },
        ("smdistributed", "pytorchxla"),
    ),
    "compiler with torch_distributed before 1.13.1": (  # v2 refused it the same way
        {
            **COMPILER_VERSIONS,
            "compiler_config": TrainingCompilerConfig(),
            "distribution": {"torch_distributed": {"enabled": True}},
        },
        ("pytorch_version='1.11.0'", "torch_distributed", "1.13.1"),
    ),
    "torch_distributed on a CPU instance": (
        {"instance_type": "ml.m5.xlarge", "distribution": {"torch_distributed": {"enabled": True}}},
        ("torch_distributed", "GPU", "ml.m5.xlarge"),
    ),
    "entry point on S3": ({"entry_point": "s3://code/train.py"}, ("entry_point", "local file")),
    "missing entry point file": ({"entry_point": "missing.py"}, ("missing.py", "source_dir")),
    "source_dir on S3 not an archive": ({"source_dir": "s3://code/src"}, ("source_dir", ".tar.gz")),
}


def _arguments(source_dir: Any, overrides: dict[str, Any]) -> dict[str, Any]:
    return {
        "entry_point": "train.py",
        "source_dir": str(source_dir),
        "instance_type": GPU_INSTANCE,
        **VERSIONS,
        **overrides,
    }


@pytest.mark.parametrize("case", sorted(BAD_ARGUMENTS))
def test_bad_arguments_are_refused_with_the_fix(case, source_dir):
    overrides, words = BAD_ARGUMENTS[case]
    with pytest.raises(ConfigurationError) as raised:
        HuggingFace(**_arguments(source_dir, overrides))
    for word in words:
        assert word in str(raised.value), f"{word!r} missing from: {raised.value}"


def test_entry_point_is_required_and_a_misplaced_script_is_pointed_out():
    with pytest.raises(ConfigurationError, match=r"entry_point='train\.py'"):
        HuggingFace(**VERSIONS, instance_type=GPU_INSTANCE)
    with pytest.raises(ConfigurationError, match=r"py_version='train\.py' looks like one"):
        HuggingFace("train.py", instance_type=GPU_INSTANCE)


def test_image_uri_needs_no_versions(source_dir):
    estimator = HuggingFace(
        entry_point="train.py",
        source_dir=str(source_dir),
        image_uri="my/image:1",
        instance_type="ml.m5.xlarge",
    )
    assert estimator.training_image_uri(session=object()) == "my/image:1"


def test_hyperparameters_are_json_encoded_with_the_distribution_flags(source_dir):
    estimator = HuggingFace(
        **_arguments(
            source_dir,
            {
                "hyperparameters": {"epochs": 1, "model": "bert", "layers": [1, 2]},
                "instance_type": MULTI_GPU_INSTANCE,
                "transformers_version": "4.26.0",
                "pytorch_version": "1.13.1",  # torch_distributed's first version, as v2 typed it
                "distribution": {"torch_distributed": {"enabled": True}},
            },
        )
    )
    estimator.set_hyperparameters(epochs=2)
    assert estimator.hyperparameters() == {
        "epochs": "2",
        "model": '"bert"',
        "layers": "[1, 2]",
        "sagemaker_torch_distributed_enabled": "true",
        "sagemaker_instance_type": '"ml.p3.16xlarge"',
    }


def test_training_input_checks_its_choices():
    with pytest.raises(ConfigurationError, match=r"distribution='Sharded'.*ShardedByS3Key"):
        TrainingInput("s3://data/train", distribution="Sharded")
    assert TrainingInput("s3://data/train", input_mode="Pipe").config == {
        "DataSource": {
            "S3DataSource": {
                "S3DataType": "S3Prefix",
                "S3Uri": "s3://data/train",
                "S3DataDistributionType": "FullyReplicated",
            }
        },
        "InputMode": "Pipe",
    }


def test_bad_inputs_name_the_channel(moto_session, moto_role_arn, source_dir):
    estimator = HuggingFace(
        **_arguments(source_dir, {"role": moto_role_arn, "sagemaker_session": moto_session})
    )
    with pytest.raises(ConfigurationError, match=r"channel 'train'.*does-not-exist"):
        estimator.fit({"train": "does-not-exist"}, wait=False)
    with pytest.raises(ConfigurationError, match=r"Channel name 'bad name'"):
        estimator.fit({"bad name": "s3://data/x"}, wait=False)
    with pytest.raises(ConfigurationError, match=r"fit\(inputs=\.\.\.\): got int 3; expected str or Path"):
        estimator.fit(3, wait=False)
    assert moto_session.sagemaker_client.list_training_jobs()["TrainingJobSummaries"] == []
