"""SDK v2 keywords of ``HuggingFaceModel`` and ``deploy()`` that mean nothing here, or something else.

v2 took them (``deploy()`` through ``**kwargs``), so code that passes them must not fail
with ``TypeError``. Those that configure features outside the Hugging Face hosting flows
are accepted with a warning that names them and says why; those whose request AWS would
refuse are refused before any call, saying what to do instead. The keywords that do
something (``inference_ami_version``, ``routing_config``, ``accept_eula``,
``explainer_config``, ``image_config``) are applied by :mod:`sagemaker_hf.hosting.model`.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from sagemaker_hf._validation import warn_ignored_arguments
from sagemaker_hf.errors import ConfigurationError

MODEL_BASED = "ModelBased"
_INFERENCE_COMPONENTS_WHY = (
    "they configure inference components (endpoint_type=INFERENCE_COMPONENT_BASED), which are not "
    "supported: each model gets its own endpoint. Create inference components with boto3's "
    "create_inference_component if you need them."
)


def check_constructor_options(
    predictor_cls: Any,
    git_config: dict[str, str] | None,
    entry_point: str | None,
    resources: Any,
    additional_model_data_sources: Any,
    model_reference_arn: str | None,
) -> None:
    """Refuse constructor keywords that cannot work; warn about those that have no effect."""
    if predictor_cls is not None and not callable(predictor_cls):
        raise ConfigurationError(
            f"predictor_cls={predictor_cls!r} is not a class: pass e.g. sagemaker_hf.Predictor, "
            "or None to have deploy() return None (as SDK v2 did)."
        )
    if git_config is not None and entry_point is None:
        raise ConfigurationError(
            "git_config needs entry_point= (the script's path inside the repository, or inside source_dir)."
        )
    warn_ignored_arguments("HuggingFaceModel", {"resources": resources}, _INFERENCE_COMPONENTS_WHY)
    warn_ignored_arguments(
        "HuggingFaceModel",
        {"additional_model_data_sources": additional_model_data_sources},
        "SDK v2's HuggingFaceModel did not send them either (its container definition leaves them out); "
        "put every file the model needs in model_data.",
    )
    warn_ignored_arguments(
        "HuggingFaceModel",
        {"model_reference_arn": model_reference_arn},
        "it refers to SageMaker JumpStart hub content, which Hugging Face models do not use.",
    )


def check_no_code_with_model_data_source(code: Any) -> None:
    """Code cannot be packed into uncompressed model data (v2 warned, then lost the script)."""
    if code is not None:
        raise ConfigurationError(
            "entry_point cannot be packed into uncompressed model data (model_data as an S3DataSource "
            "dict): put the script under code/ in that S3 prefix and pass env={'SAGEMAKER_PROGRAM': "
            "'inference.py', 'SAGEMAKER_SUBMIT_DIRECTORY': '/opt/ml/model/code'}, or pass a model.tar.gz "
            "as model_data."
        )


def check_deploy_options(
    accelerator_type: str | None,
    inference_recommendation_id: str | None,
    endpoint_logging: bool,
    resources: Any,
    endpoint_type: str | Enum,
    managed_instance_scaling: Any,
    inference_component_name: str | None,
    model_reference_arn: str | None,
) -> None:
    """Refuse what AWS would refuse; warn, by name, about what has no effect here."""
    if accelerator_type:
        raise ConfigurationError(
            f"accelerator_type={accelerator_type!r}: Elastic Inference accelerators have been retired by "
            "AWS, and SageMaker refuses new endpoints with one. Drop accelerator_type and pick a GPU "
            "instance_type (e.g. 'ml.g5.xlarge') or Inferentia ('ml.inf2.xlarge')."
        )
    kind = getattr(endpoint_type, "value", endpoint_type)
    if kind != MODEL_BASED:
        raise ConfigurationError(
            f"endpoint_type={kind!r} is not supported: deploy() creates model-based endpoints "
            f"(endpoint_type={MODEL_BASED!r}, v2's default). Inference components are not supported; "
            "create them with boto3's create_inference_component."
        )
    warn_ignored_arguments(
        "HuggingFaceModel.deploy",
        {
            "resources": resources,
            "managed_instance_scaling": managed_instance_scaling,
            "inference_component_name": inference_component_name,
        },
        _INFERENCE_COMPONENTS_WHY,
    )
    warn_ignored_arguments(
        "HuggingFaceModel.deploy",
        {"inference_recommendation_id": inference_recommendation_id},
        "Inference Recommender results are not read; pass instance_type and initial_instance_count.",
    )
    warn_ignored_arguments(
        "HuggingFaceModel.deploy",
        {"endpoint_logging": endpoint_logging or None},
        "the endpoint's logs are not streamed while waiting; they are in CloudWatch Logs under "
        "/aws/sagemaker/Endpoints/<endpoint name> (local endpoints: server.log in their working "
        "directory under the local home).",
    )
    warn_ignored_arguments(
        "HuggingFaceModel.deploy",
        {"model_reference_arn": model_reference_arn},
        "it refers to SageMaker JumpStart hub content, which Hugging Face models do not use.",
    )
