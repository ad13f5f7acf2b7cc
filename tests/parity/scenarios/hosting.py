"""HuggingFaceModel and deploy(): every option a notebook passes, one scenario each."""

from __future__ import annotations

from sdk import (
    AsyncInferenceConfig,
    DataCaptureConfig,
    HuggingFaceModel,
    ServerlessInferenceConfig,
)

from tests.parity.scenario import BUCKET, HUB, ROLE, VERSIONS, Case, scenario

GPU = "ml.g4dn.xlarge"
CPU = "ml.m5.xlarge"


@scenario
def deploy_hub_model(case: Case) -> None:
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)
    predictor = huggingface_model.deploy(initial_instance_count=1, instance_type=CPU)
    case.result("predict", predictor.predict({"inputs": "I love it"}))


@scenario
def deploy_gpu_instance(case: Case) -> None:
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)
    huggingface_model.deploy(initial_instance_count=2, instance_type=GPU)


@scenario
def deploy_tensorflow_model(case: Case) -> None:
    huggingface_model = HuggingFaceModel(
        env=HUB, role=ROLE, transformers_version="4.26", tensorflow_version="2.11", py_version="py39"
    )
    huggingface_model.deploy(initial_instance_count=1, instance_type=CPU)


@scenario
def deploy_inferentia2(case: Case) -> None:
    huggingface_model = HuggingFaceModel(
        env={**HUB, "HF_NUM_CORES": "2", "HF_AUTO_CAST_TYPE": "bf16"},
        role=ROLE,
        transformers_version="4.36.2",
        pytorch_version="2.1.2",
        py_version="py310",
    )
    huggingface_model.deploy(initial_instance_count=1, instance_type="ml.inf2.xlarge")


@scenario
def deploy_model_data_from_s3(case: Case) -> None:
    model_data = case.model_archive()
    huggingface_model = HuggingFaceModel(model_data=model_data, role=ROLE, **VERSIONS)
    huggingface_model.deploy(initial_instance_count=1, instance_type=CPU)


@scenario
def deploy_env_vpc_isolation(case: Case) -> None:
    huggingface_model = HuggingFaceModel(
        env={**HUB, "HF_API_TOKEN": "hf_x", "MAX_BATCH": "4"},
        role=ROLE,
        vpc_config={"Subnets": ["subnet-1", "subnet-2"], "SecurityGroupIds": ["sg-1"]},
        enable_network_isolation=True,
        **VERSIONS,
    )
    huggingface_model.deploy(initial_instance_count=1, instance_type=CPU)


@scenario
def deploy_kms_tags_volume_timeouts(case: Case) -> None:
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)
    huggingface_model.deploy(
        initial_instance_count=1,
        instance_type=GPU,
        tags=[{"Key": "project", "Value": "parity"}],
        kms_key="arn:aws:kms:us-east-1:123456789012:key/endpoint",
        volume_size=64,
        model_data_download_timeout=1200,
        container_startup_health_check_timeout=900,
    )


@scenario
def deploy_named_model_and_endpoint(case: Case) -> None:
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, name="my-model", **VERSIONS)
    predictor = huggingface_model.deploy(
        initial_instance_count=1, instance_type=CPU, endpoint_name="my-endpoint"
    )
    case.result("endpoint_name", predictor.endpoint_name)
    case.result("model_name", huggingface_model.name)


@scenario
def deploy_image_uri_with_versions(case: Case) -> None:
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-hf-inference:latest"
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, image_uri=image, **VERSIONS)
    huggingface_model.deploy(initial_instance_count=1, instance_type=CPU)


@scenario
def deploy_image_uri_without_versions(case: Case) -> None:
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-hf-inference:latest"
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, image_uri=image)
    huggingface_model.deploy(initial_instance_count=1, instance_type=CPU)


@scenario
def deploy_model_server_workers_and_log_level(case: Case) -> None:
    huggingface_model = HuggingFaceModel(
        env=HUB, role=ROLE, model_server_workers=2, container_log_level=10, **VERSIONS
    )
    huggingface_model.deploy(initial_instance_count=1, instance_type=CPU)


@scenario
def deploy_role_name_expanded(case: Case) -> None:
    huggingface_model = HuggingFaceModel(env=HUB, role="SageMakerRole", **VERSIONS)
    huggingface_model.deploy(initial_instance_count=1, instance_type=CPU)


@scenario
def deploy_without_role(case: Case) -> None:
    huggingface_model = HuggingFaceModel(env=HUB, **VERSIONS)
    huggingface_model.deploy(initial_instance_count=1, instance_type=CPU)


@scenario
def deploy_without_instance_type(case: Case) -> None:
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)
    huggingface_model.deploy(initial_instance_count=1)


@scenario
def deploy_no_wait(case: Case) -> None:
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)
    predictor = huggingface_model.deploy(initial_instance_count=1, instance_type=CPU, wait=False)
    case.result("endpoint_name_is_text", isinstance(predictor.endpoint_name, str))


@scenario
def deploy_image_uri_attribute(case: Case) -> None:
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)
    huggingface_model.deploy(initial_instance_count=1, instance_type=CPU)
    case.result("image_uri", huggingface_model.image_uri)


@scenario
def deploy_inference_ami_version(case: Case) -> None:
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)
    huggingface_model.deploy(
        initial_instance_count=1, instance_type=GPU, inference_ami_version="al2-ami-sagemaker-inference-gpu-2"
    )


@scenario
def deploy_model_data_dict(case: Case) -> None:
    model_data = {
        "S3DataSource": {
            "S3Uri": f"s3://{BUCKET}/uncompressed/model/",
            "S3DataType": "S3Prefix",
            "CompressionType": "None",
        }
    }
    huggingface_model = HuggingFaceModel(model_data=model_data, role=ROLE, **VERSIONS)
    huggingface_model.deploy(initial_instance_count=1, instance_type=GPU)


# ---- code: entry_point, source_dir, repack ---------------------------------------------


@scenario
def deploy_entry_point_repack(case: Case) -> None:
    model_data = case.model_archive()
    case.script("code/inference.py")
    case.write("code/requirements.txt", "numpy\n")
    huggingface_model = HuggingFaceModel(
        model_data=model_data, entry_point="inference.py", source_dir="code", role=ROLE, **VERSIONS
    )
    huggingface_model.deploy(initial_instance_count=1, instance_type=CPU)


@scenario
def deploy_entry_point_only_repack(case: Case) -> None:
    model_data = case.model_archive()
    entry_point = case.script("inference.py")
    huggingface_model = HuggingFaceModel(
        model_data=model_data, entry_point=entry_point, role=ROLE, **VERSIONS
    )
    huggingface_model.deploy(initial_instance_count=1, instance_type=CPU)


@scenario
def deploy_entry_point_code_location_kms(case: Case) -> None:
    model_data = case.model_archive()
    case.script("code/inference.py")
    huggingface_model = HuggingFaceModel(
        model_data=model_data,
        entry_point="inference.py",
        source_dir="code",
        code_location="s3://my-code-bucket/prefix",
        model_kms_key="arn:aws:kms:us-east-1:123456789012:key/model",
        role=ROLE,
        **VERSIONS,
    )
    huggingface_model.deploy(initial_instance_count=1, instance_type=CPU)


@scenario
def deploy_entry_point_hub_model(case: Case) -> None:
    case.script("code/inference.py")
    huggingface_model = HuggingFaceModel(
        env=HUB, entry_point="inference.py", source_dir="code", role=ROLE, **VERSIONS
    )
    huggingface_model.deploy(initial_instance_count=1, instance_type=CPU)


@scenario
def deploy_user_sets_sagemaker_program(case: Case) -> None:
    model_data = case.model_archive()
    huggingface_model = HuggingFaceModel(
        model_data=model_data,
        env={"SAGEMAKER_PROGRAM": "serve.py", "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code"},
        role=ROLE,
        **VERSIONS,
    )
    huggingface_model.deploy(initial_instance_count=1, instance_type=CPU)


@scenario
def deploy_user_sets_sagemaker_program_with_entry_point(case: Case) -> None:
    model_data = case.model_archive()
    case.script("code/inference.py")
    case.script("code/serve.py")
    huggingface_model = HuggingFaceModel(
        model_data=model_data,
        entry_point="inference.py",
        source_dir="code",
        env={"SAGEMAKER_PROGRAM": "serve.py"},
        role=ROLE,
        **VERSIONS,
    )
    huggingface_model.deploy(initial_instance_count=1, instance_type=CPU)


# ---- serverless, async, data capture -----------------------------------------------------


@scenario
def deploy_serverless_defaults(case: Case) -> None:
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)
    huggingface_model.deploy(serverless_inference_config=ServerlessInferenceConfig())


@scenario
def deploy_serverless_options(case: Case) -> None:
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)
    config = ServerlessInferenceConfig(memory_size_in_mb=4096, max_concurrency=10, provisioned_concurrency=2)
    huggingface_model.deploy(serverless_inference_config=config)


@scenario
def deploy_async_defaults(case: Case) -> None:
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)
    predictor = huggingface_model.deploy(
        initial_instance_count=1, instance_type=CPU, async_inference_config=AsyncInferenceConfig()
    )
    case.result("predictor", type(predictor).__name__)


@scenario
def deploy_async_all_options(case: Case) -> None:
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)
    config = AsyncInferenceConfig(
        output_path=f"s3://{BUCKET}/async/out",
        max_concurrent_invocations_per_instance=4,
        kms_key_id="arn:aws:kms:us-east-1:123456789012:key/async",
        failure_path=f"s3://{BUCKET}/async/failed",
    )
    huggingface_model.deploy(initial_instance_count=1, instance_type=CPU, async_inference_config=config)


@scenario
def deploy_async_notification_include_response(case: Case) -> None:
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)
    config = AsyncInferenceConfig(
        output_path=f"s3://{BUCKET}/async/out",
        notification_config={
            "SuccessTopic": "arn:aws:sns:us-east-1:123456789012:ok",
            "ErrorTopic": "arn:aws:sns:us-east-1:123456789012:failed",
            "IncludeInferenceResponseIn": ["SUCCESS_NOTIFICATION_TOPIC"],
        },
    )
    huggingface_model.deploy(initial_instance_count=1, instance_type=CPU, async_inference_config=config)


@scenario
def deploy_data_capture_defaults(case: Case) -> None:
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)
    huggingface_model.deploy(
        initial_instance_count=1,
        instance_type=CPU,
        data_capture_config=DataCaptureConfig(enable_capture=True),
    )


@scenario
def deploy_data_capture_options(case: Case) -> None:
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)
    config = DataCaptureConfig(
        enable_capture=True,
        sampling_percentage=50,
        destination_s3_uri=f"s3://{BUCKET}/capture",
        kms_key_id="arn:aws:kms:us-east-1:123456789012:key/capture",
        capture_options=["REQUEST"],
        csv_content_types=["text/csv"],
        json_content_types=["application/jsonlines"],
    )
    huggingface_model.deploy(initial_instance_count=1, instance_type=CPU, data_capture_config=config)


# ---- update, reuse -------------------------------------------------------------------------


@scenario
def deploy_update_endpoint(case: Case) -> None:
    case.aws.sagemaker.seed_endpoint("live-endpoint")
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)
    predictor = huggingface_model.deploy(
        initial_instance_count=2, instance_type=GPU, endpoint_name="live-endpoint", update_endpoint=True
    )
    case.result("endpoint_name", predictor.endpoint_name)


@scenario
def deploy_update_missing_endpoint(case: Case) -> None:
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)
    huggingface_model.deploy(
        initial_instance_count=1, instance_type=CPU, endpoint_name="missing", update_endpoint=True
    )


@scenario
def deploy_existing_model_reused(case: Case) -> None:
    first = HuggingFaceModel(env=HUB, role=ROLE, name="shared-model", **VERSIONS)
    first.deploy(initial_instance_count=1, instance_type=CPU, endpoint_name="first-endpoint")
    second = HuggingFaceModel(env=HUB, role=ROLE, name="shared-model", **VERSIONS)
    second.deploy(initial_instance_count=1, instance_type=CPU, endpoint_name="second-endpoint")


@scenario
def deploy_existing_endpoint_name(case: Case) -> None:
    case.aws.sagemaker.seed_endpoint("taken")
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)
    huggingface_model.deploy(initial_instance_count=1, instance_type=CPU, endpoint_name="taken")
