"""What a v2 user's ``except`` clauses catch: bad arguments, and resources that fail on SageMaker."""

from __future__ import annotations

from sdk import HuggingFace, HuggingFaceModel, ServerlessInferenceConfig, TrainingCompilerConfig

from tests.parity.scenario import BUCKET, HUB, ROLE, VERSIONS, Case, scenario
from tests.parity.scenarios.training import estimator


@scenario
def model_without_versions(case: Case) -> None:
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE)
    huggingface_model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")


@scenario
def model_with_python_2(case: Case) -> None:
    HuggingFaceModel(
        env=HUB, role=ROLE, transformers_version="4.26", pytorch_version="1.13", py_version="py2"
    )


@scenario
def model_with_unknown_versions(case: Case) -> None:
    huggingface_model = HuggingFaceModel(
        env=HUB, role=ROLE, transformers_version="9.99", pytorch_version="1.13", py_version="py39"
    )
    huggingface_model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")


@scenario
def model_env_value_not_a_string(case: Case) -> None:
    huggingface_model = HuggingFaceModel(env={**HUB, "MAX_INPUT_LENGTH": 512}, role=ROLE, **VERSIONS)
    huggingface_model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")


@scenario
def serverless_memory_out_of_range(case: Case) -> None:
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)
    huggingface_model.deploy(serverless_inference_config=ServerlessInferenceConfig(memory_size_in_mb=8192))


@scenario
def endpoint_fails_to_start(case: Case) -> None:
    case.aws.sagemaker.failures["endpoint"] = (
        "The primary container for production variant AllTraffic did not pass"
    )
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)
    huggingface_model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")


@scenario
def training_job_fails(case: Case) -> None:
    case.aws.sagemaker.failures["training"] = "AlgorithmError: ExecuteUserScriptError: exit code 1"
    huggingface_estimator = estimator(case)
    huggingface_estimator.fit({"train": f"s3://{BUCKET}/data/train"})


@scenario
def transform_job_fails(case: Case) -> None:
    case.aws.sagemaker.failures["transform"] = "ClientError: See job logs for more information"
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)
    batch_job = huggingface_model.transformer(instance_count=1, instance_type="ml.m5.xlarge")
    batch_job.transform(
        f"s3://{BUCKET}/batch/input.jsonl", content_type="application/json", split_type="Line"
    )


@scenario
def estimator_without_versions(case: Case) -> None:
    case.script("scripts/train.py")
    HuggingFace(
        entry_point="train.py",
        source_dir="scripts",
        instance_type="ml.p3.2xlarge",
        instance_count=1,
        role=ROLE,
    )


@scenario
def estimator_compiler_on_cpu(case: Case) -> None:
    estimator(
        case,
        instance_type="ml.c5.xlarge",
        transformers_version="4.21",
        pytorch_version="1.11",
        py_version="py38",
        compiler_config=TrainingCompilerConfig(),
    )


@scenario
def estimator_spot_wait_shorter_than_run(case: Case) -> None:
    huggingface_estimator = estimator(case, use_spot_instances=True, max_run=7200, max_wait=3600)
    huggingface_estimator.fit({"train": f"s3://{BUCKET}/data/train"})


@scenario
def attach_to_missing_job(case: Case) -> None:
    HuggingFace.attach("no-such-job")
