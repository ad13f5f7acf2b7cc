"""Every argument of SDK v2's training surface exists here by name, and the positional ones in v2's order.

The lists were read off sagemaker==2.257.7 with ``inspect.signature`` (``HuggingFace``,
``Framework`` and ``EstimatorBase`` together for the estimator, since v2 passed the last
two's keywords through ``**kwargs``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

from sagemaker_hf import HuggingFace
from sagemaker_hf.session import Session
from sagemaker_hf.training.analytics import TrainingJobAnalytics
from sagemaker_hf.training.estimator import Estimator
from sagemaker_hf.training.inputs import TrainingInput

V2_HUGGINGFACE = """
        py_version entry_point transformers_version tensorflow_version pytorch_version
        source_dir hyperparameters image_uri distribution compiler_config container_log_level
        code_location dependencies enable_network_isolation git_config checkpoint_s3_uri
        checkpoint_local_path enable_sagemaker_metrics role instance_count instance_type
        keep_alive_period_in_seconds volume_size volume_kms_key max_run input_mode output_path
        output_kms_key base_job_name sagemaker_session tags subnets security_group_ids model_uri
        model_channel_name metric_definitions encrypt_inter_container_traffic use_spot_instances
        max_wait rules debugger_hook_config tensorboard_output_config profiler_config
        disable_profiler environment max_retry_attempts instance_groups
        training_repository_access_mode training_repository_credentials_provider_arn
        enable_infra_check container_entry_point container_arguments disable_output_compression
        enable_remote_debug enable_session_tag_chaining training_plan instance_placement_config
    """
V2_ESTIMATOR = """
        image_uri role instance_count instance_type keep_alive_period_in_seconds volume_size
        volume_kms_key max_run input_mode output_path output_kms_key base_job_name
        sagemaker_session hyperparameters tags subnets security_group_ids model_uri
        model_channel_name metric_definitions encrypt_inter_container_traffic use_spot_instances
        max_wait checkpoint_s3_uri checkpoint_local_path enable_network_isolation rules
        debugger_hook_config tensorboard_output_config enable_sagemaker_metrics profiler_config
        disable_profiler environment max_retry_attempts source_dir git_config
        container_log_level code_location entry_point dependencies instance_groups
        training_repository_access_mode training_repository_credentials_provider_arn
        container_entry_point container_arguments disable_output_compression enable_infra_check
        enable_remote_debug enable_session_tag_chaining training_plan instance_placement_config
    """

# callable -> (v2's argument names, how many lead positionally in v2's order)
V2_SIGNATURES: dict[str, tuple[Callable[..., Any], str, int]] = {
    "HuggingFace": (HuggingFace.__init__, V2_HUGGINGFACE, 10),
    "Estimator": (Estimator.__init__, V2_ESTIMATOR, 14),
    "HuggingFace.fit": (HuggingFace.fit, "inputs wait logs job_name experiment_config", 5),
    "HuggingFace.deploy": (
        HuggingFace.deploy,
        """
            initial_instance_count instance_type serializer deserializer accelerator_type
            endpoint_name use_compiled_model wait model_name kms_key data_capture_config
            tags serverless_inference_config async_inference_config volume_size
            model_data_download_timeout container_startup_health_check_timeout
            inference_recommendation_id explainer_config
        """,
        19,
    ),
    "HuggingFace.create_model": (
        HuggingFace.create_model,
        "model_server_workers role vpc_config_override entry_point source_dir dependencies",
        6,
    ),
    "HuggingFace.transformer": (
        HuggingFace.transformer,
        """
            instance_count instance_type strategy assemble_with output_path output_kms_key
            accept env max_concurrent_transforms max_payload tags role model_server_workers
            volume_kms_key entry_point vpc_config_override enable_network_isolation
            model_name
        """,
        18,
    ),
    "HuggingFace.attach": (HuggingFace.attach, "training_job_name sagemaker_session model_channel_name", 3),
    "Estimator.attach": (Estimator.attach, "training_job_name sagemaker_session model_channel_name", 3),
    "Estimator.create_model": (Estimator.create_model, "role image_uri predictor_cls vpc_config_override", 4),
    "TrainingInput": (
        TrainingInput.__init__,
        """
            s3_data distribution compression content_type record_wrapping s3_data_type
            instance_groups input_mode attribute_names target_attribute_name shuffle_config
            hub_access_config model_access_config
        """,
        13,
    ),
    "TrainingJobAnalytics": (
        TrainingJobAnalytics.__init__,
        "training_job_name metric_names sagemaker_session start_time end_time period",
        6,
    ),
    "Session.logs_for_job": (Session.logs_for_job, "job_name wait poll log_type timeout", 5),
}


@pytest.mark.parametrize("name", sorted(V2_SIGNATURES))
def test_every_v2_argument_is_accepted_by_name(name):
    function, v2_names, positional = V2_SIGNATURES[name]
    parameters = {
        key: parameter
        for key, parameter in inspect.signature(function).parameters.items()
        if key not in ("self", "cls") and parameter.kind is not inspect.Parameter.VAR_KEYWORD
    }
    missing = [argument for argument in v2_names.split() if argument not in parameters]
    assert not missing, f"{name} lacks SDK v2's {missing}"
    leading = [
        key for key, parameter in parameters.items() if parameter.kind is parameter.POSITIONAL_OR_KEYWORD
    ]
    assert leading[:positional] == v2_names.split()[:positional], f"{name}: v2's positional order"
