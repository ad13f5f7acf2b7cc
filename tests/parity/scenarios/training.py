"""The HuggingFace estimator: constructor options, every distribution, fit(), attach()."""

from __future__ import annotations

from sdk import HuggingFace, TrainingCompilerConfig, TrainingInput

from tests.parity.scenario import BUCKET, ROLE, TRAINING_VERSIONS, Case, scenario

# SDK v2 checks smdistributed and torch_distributed against lists of full framework versions.
FULL_VERSIONS = {"transformers_version": "4.28.1", "pytorch_version": "2.0.0", "py_version": "py310"}
INPUTS = {"train": f"s3://{BUCKET}/data/train", "test": f"s3://{BUCKET}/data/test"}
HYPERPARAMETERS = {"epochs": 1, "train_batch_size": 32, "model_name": "distilbert-base-uncased", "fp16": True}


def estimator(case: Case, **arguments: object) -> HuggingFace:
    """The notebooks' estimator: a training script in scripts/, plus the scenario's options."""
    case.script("scripts/train.py")
    options = {
        "entry_point": "train.py",
        "source_dir": "scripts",
        "instance_type": "ml.p3.2xlarge",
        "instance_count": 1,
        "role": ROLE,
        "hyperparameters": HYPERPARAMETERS,
        **TRAINING_VERSIONS,
    }
    options.update(arguments)
    return HuggingFace(**options)


@scenario
def fit_basic(case: Case) -> None:
    huggingface_estimator = estimator(case)
    huggingface_estimator.fit(INPUTS)
    case.result("model_data", huggingface_estimator.model_data)


@scenario
def fit_training_inputs(case: Case) -> None:
    huggingface_estimator = estimator(case)
    train = TrainingInput(
        f"s3://{BUCKET}/data/train",
        distribution="ShardedByS3Key",
        compression="Gzip",
        content_type="application/jsonlines",
        s3_data_type="S3Prefix",
        input_mode="FastFile",
    )
    huggingface_estimator.fit({"train": train, "test": INPUTS["test"]}, job_name="my-training-job")


@scenario
def fit_single_input_no_wait(case: Case) -> None:
    huggingface_estimator = estimator(case)
    huggingface_estimator.fit(f"s3://{BUCKET}/data/train", wait=False)


@scenario
def fit_attributes_after_training(case: Case) -> None:
    huggingface_estimator = estimator(case)
    huggingface_estimator.fit(INPUTS)
    case.result("base_job_name", huggingface_estimator.base_job_name)
    case.result("output_path", huggingface_estimator.output_path)
    case.result("job_name", huggingface_estimator.latest_training_job.name)
    case.result("model_data", huggingface_estimator.model_data)


@scenario
def distribution_smdistributed_dataparallel(case: Case) -> None:
    huggingface_estimator = estimator(
        case,
        instance_type="ml.p4d.24xlarge",
        instance_count=2,
        distribution={"smdistributed": {"dataparallel": {"enabled": True}}},
        **FULL_VERSIONS,
    )
    huggingface_estimator.fit(INPUTS)


@scenario
def distribution_smdistributed_modelparallel(case: Case) -> None:
    huggingface_estimator = estimator(
        case,
        instance_type="ml.p3dn.24xlarge",
        instance_count=1,
        distribution={
            "smdistributed": {
                "modelparallel": {
                    "enabled": True,
                    "parameters": {
                        "microbatches": 4,
                        "placement_strategy": "spread",
                        "pipeline": "interleaved",
                        "optimize": "speed",
                        "partitions": 4,
                        "ddp": True,
                    },
                }
            },
            "mpi": {"enabled": True, "processes_per_host": 8},
        },
    )
    huggingface_estimator.fit(INPUTS)


@scenario
def distribution_torch_distributed(case: Case) -> None:
    huggingface_estimator = estimator(
        case,
        instance_type="ml.p4d.24xlarge",
        instance_count=2,
        distribution={"torch_distributed": {"enabled": True}},
        **FULL_VERSIONS,
    )
    huggingface_estimator.fit(INPUTS)


@scenario
def distribution_torch_distributed_on_cpu(case: Case) -> None:
    estimator(
        case,
        instance_type="ml.c5.18xlarge",
        instance_count=2,
        distribution={"torch_distributed": {"enabled": True}},
        **FULL_VERSIONS,
    )


@scenario
def distribution_pytorchddp(case: Case) -> None:
    huggingface_estimator = estimator(
        case,
        instance_type="ml.p4d.24xlarge",
        instance_count=2,
        distribution={"pytorchddp": {"enabled": True}},
    )
    huggingface_estimator.fit(INPUTS)


@scenario
def distribution_mpi(case: Case) -> None:
    huggingface_estimator = estimator(
        case,
        instance_type="ml.p3.16xlarge",
        instance_count=2,
        distribution={"mpi": {"enabled": True, "processes_per_host": 8, "custom_mpi_options": "-verbose"}},
    )
    huggingface_estimator.fit(INPUTS)


@scenario
def distribution_pytorchxla_with_compiler(case: Case) -> None:
    huggingface_estimator = estimator(
        case,
        instance_type="ml.p3.16xlarge",
        instance_count=1,
        transformers_version="4.21",
        pytorch_version="1.11",
        py_version="py38",
        compiler_config=TrainingCompilerConfig(),
        distribution={"pytorchxla": {"enabled": True}},
    )
    huggingface_estimator.fit(INPUTS)


@scenario
def distribution_pytorchxla_without_compiler(case: Case) -> None:
    estimator(
        case,
        instance_type="ml.p3.16xlarge",
        transformers_version="4.21",
        pytorch_version="1.11",
        py_version="py38",
        distribution={"pytorchxla": {"enabled": True}},
    )


@scenario
def distribution_parameter_server(case: Case) -> None:
    huggingface_estimator = estimator(
        case,
        instance_type="ml.p3.2xlarge",
        instance_count=2,
        transformers_version="4.17",
        tensorflow_version="2.6",
        pytorch_version=None,
        py_version="py38",
        distribution={"parameter_server": {"enabled": True}},
    )
    huggingface_estimator.fit(INPUTS)


@scenario
def compiler_config_debug(case: Case) -> None:
    huggingface_estimator = estimator(
        case,
        transformers_version="4.21",
        pytorch_version="1.11",
        py_version="py38",
        compiler_config=TrainingCompilerConfig(debug=True),
    )
    huggingface_estimator.fit(INPUTS)


@scenario
def spot_with_checkpoints(case: Case) -> None:
    huggingface_estimator = estimator(
        case,
        use_spot_instances=True,
        max_run=3600,
        max_wait=7200,
        checkpoint_s3_uri=f"s3://{BUCKET}/checkpoints",
        checkpoint_local_path="/opt/ml/checkpoints",
    )
    huggingface_estimator.fit(INPUTS)


@scenario
def metric_definitions_and_environment(case: Case) -> None:
    huggingface_estimator = estimator(
        case,
        metric_definitions=[
            {"Name": "loss", "Regex": "'loss': ([0-9\\.]+)"},
            {"Name": "eval_accuracy", "Regex": "'eval_accuracy': ([0-9\\.]+)"},
        ],
        environment={"HF_TOKEN": "hf_x", "WANDB_DISABLED": "true"},
        enable_sagemaker_metrics=True,
    )
    huggingface_estimator.fit(INPUTS)


@scenario
def vpc_kms_volume_output(case: Case) -> None:
    huggingface_estimator = estimator(
        case,
        subnets=["subnet-1"],
        security_group_ids=["sg-1"],
        volume_size=200,
        volume_kms_key="arn:aws:kms:us-east-1:123456789012:key/volume",
        output_kms_key="arn:aws:kms:us-east-1:123456789012:key/output",
        output_path=f"s3://{BUCKET}/my-output",
        enable_network_isolation=True,
        max_run=7200,
        input_mode="Pipe",
        base_job_name="finetune",
        tags=[{"Key": "project", "Value": "parity"}],
        container_log_level=10,
    )
    huggingface_estimator.fit(INPUTS)


@scenario
def code_location_with_output_kms_key(case: Case) -> None:
    huggingface_estimator = estimator(
        case,
        code_location="s3://my-code-bucket/code",
        output_kms_key="arn:aws:kms:us-east-1:123456789012:key/output",
    )
    huggingface_estimator.fit(INPUTS)


@scenario
def source_dir_on_s3(case: Case) -> None:
    huggingface_estimator = estimator(case, source_dir=f"s3://{BUCKET}/code/sourcedir.tar.gz")
    huggingface_estimator.fit(INPUTS)


@scenario
def disable_output_compression(case: Case) -> None:
    huggingface_estimator = estimator(case, disable_output_compression=True)
    huggingface_estimator.fit(INPUTS)
    case.result("model_data", huggingface_estimator.model_data)


@scenario
def profiler_and_job_name_arguments(case: Case) -> None:
    huggingface_estimator = estimator(case, disable_profiler=True, job_name="named-by-constructor")
    huggingface_estimator.fit(INPUTS)


@scenario
def versions_of_different_lengths(case: Case) -> None:
    estimator(case, transformers_version="4.28.1", pytorch_version="2.0")


@scenario
def git_config_local_repository(case: Case) -> None:
    repository = case.git_repository({"scripts/train.py": "print('training')\n"})
    huggingface_estimator = estimator(
        case, source_dir="scripts", git_config={"repo": repository, "branch": "main"}
    )
    huggingface_estimator.fit(INPUTS)
