"""deploy() and the constructor take every keyword of SDK v2 2.257.7 (issue 15.3, 15.13, 15.18).

Applied keywords are checked on what the moto server holds; keywords with no meaning here
warn by name; keywords whose request AWS would refuse are refused before any call.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from sagemaker_hf import AsyncInferenceConfig, AsyncPredictor, HuggingFaceModel, HuggingFacePredictor
from sagemaker_hf.errors import ConfigurationError, SageMakerHFWarning
from sagemaker_hf.hosting.predictor import Predictor
from sagemaker_hf.serializers import BytesDeserializer, CSVSerializer, IdentitySerializer
from tests.sdk.conftest import CPU_IMAGE, GPU_IMAGE, HUB_ENV, VERSIONS

# SDK v2 2.257.7: inspect.signature(sagemaker.model.Model.deploy), the keywords after `self`.
V2_DEPLOY_KEYWORDS = [
    "initial_instance_count",
    "instance_type",
    "serializer",
    "deserializer",
    "accelerator_type",
    "endpoint_name",
    "tags",
    "kms_key",
    "wait",
    "data_capture_config",
    "async_inference_config",
    "serverless_inference_config",
    "volume_size",
    "model_data_download_timeout",
    "container_startup_health_check_timeout",
    "inference_recommendation_id",
    "explainer_config",
    "accept_eula",
    "endpoint_logging",
    "resources",
    "endpoint_type",
    "managed_instance_scaling",
    "inference_component_name",
    "routing_config",
    "model_reference_arn",
    "inference_ami_version",
    "update_endpoint",
]
# HuggingFaceModel's own, then FrameworkModel's and Model's (reached through **kwargs in v2).
V2_CONSTRUCTOR_KEYWORDS = [
    "role",
    "model_data",
    "entry_point",
    "transformers_version",
    "tensorflow_version",
    "pytorch_version",
    "py_version",
    "image_uri",
    "predictor_cls",
    "model_server_workers",
    "source_dir",
    "env",
    "name",
    "container_log_level",
    "code_location",
    "sagemaker_session",
    "dependencies",
    "git_config",
    "vpc_config",
    "enable_network_isolation",
    "model_kms_key",
    "image_config",
    "resources",
    "additional_model_data_sources",
    "model_reference_arn",
]


def _model(session: Any, role: str, **arguments: Any) -> HuggingFaceModel:
    return HuggingFaceModel(role=role, env=HUB_ENV, sagemaker_session=session, **VERSIONS, **arguments)


def _describe(session: Any, endpoint_name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    client = session.sagemaker_client
    endpoint = client.describe_endpoint(EndpointName=endpoint_name)
    config = client.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    model = client.describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])
    return model, config


def test_every_v2_keyword_is_a_named_parameter():
    import inspect

    deploy = set(inspect.signature(HuggingFaceModel.deploy).parameters)
    constructor = set(inspect.signature(HuggingFaceModel.__init__).parameters)
    assert set(V2_DEPLOY_KEYWORDS) <= deploy, set(V2_DEPLOY_KEYWORDS) - deploy
    assert set(V2_CONSTRUCTOR_KEYWORDS) <= constructor, set(V2_CONSTRUCTOR_KEYWORDS) - constructor
    # v2's positional order, for code that passed them positionally.
    assert list(inspect.signature(HuggingFaceModel.deploy).parameters)[1:7] == V2_DEPLOY_KEYWORDS[:6]
    assert list(inspect.signature(HuggingFaceModel.__init__).parameters)[1:11] == V2_CONSTRUCTOR_KEYWORDS[:10]


def test_v2_defaults_of_every_deploy_keyword_deploy_as_before(moto_session, moto_role_arn):
    defaults = {
        "accelerator_type": None,
        "inference_recommendation_id": None,
        "explainer_config": None,
        "accept_eula": None,
        "endpoint_logging": False,
        "resources": None,
        "endpoint_type": "ModelBased",
        "managed_instance_scaling": None,
        "inference_component_name": None,
        "routing_config": None,
        "model_reference_arn": None,
        "inference_ami_version": None,
        "update_endpoint": False,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # defaults warn about nothing
        predictor = _model(moto_session, moto_role_arn).deploy(1, "ml.m5.xlarge", **defaults)
    _, config = _describe(moto_session, predictor.endpoint_name)
    assert set(config["ProductionVariants"][0]) >= {"InstanceType", "InitialInstanceCount"}
    assert "InferenceAmiVersion" not in config["ProductionVariants"][0]


def test_inference_ami_version_and_routing_config_reach_the_production_variant(moto_session, moto_role_arn):
    predictor = _model(moto_session, moto_role_arn).deploy(
        initial_instance_count=1,
        instance_type="ml.g4dn.xlarge",
        inference_ami_version="al2-ami-sagemaker-inference-gpu-2",
        routing_config={"RoutingStrategy": "least_outstanding_requests"},  # v2 took any case
    )
    _, config = _describe(moto_session, predictor.endpoint_name)
    variant = config["ProductionVariants"][0]
    assert variant["InferenceAmiVersion"] == "al2-ami-sagemaker-inference-gpu-2"
    assert variant["RoutingConfig"] == {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"}


def test_a_bad_routing_strategy_is_refused_before_any_call(requests_log, moto_session, moto_role_arn):
    with pytest.raises(ConfigurationError, match="'FASTEST' is not accepted; use one of"):
        _model(moto_session, moto_role_arn).deploy(
            1, "ml.m5.xlarge", routing_config={"RoutingStrategy": "fastest"}
        )
    assert requests_log.operations() == []


def test_accept_eula_sends_the_model_data_as_model_data_source(moto_session, moto_role_arn):
    model = _model(moto_session, moto_role_arn, model_data="s3://models/llm/model.tar.gz")
    predictor = model.deploy(1, "ml.m5.xlarge", accept_eula=True)
    described, _ = _describe(moto_session, predictor.endpoint_name)
    container = described["PrimaryContainer"]
    assert "ModelDataUrl" not in container
    assert container["ModelDataSource"] == {
        "S3DataSource": {
            "S3Uri": "s3://models/llm/model.tar.gz",
            "S3DataType": "S3Object",
            "CompressionType": "Gzip",
            "ModelAccessConfig": {"AcceptEula": True},
        }
    }


def test_image_config_reaches_the_container(moto_session, moto_role_arn):
    image_config = {"RepositoryAccessMode": "Vpc"}
    predictor = _model(moto_session, moto_role_arn, image_config=image_config).deploy(1, "ml.m5.xlarge")
    described, _ = _describe(moto_session, predictor.endpoint_name)
    assert described["PrimaryContainer"]["ImageConfig"] == image_config


def test_keywords_without_meaning_here_warn_by_name_and_deploy(moto_session, moto_role_arn):
    with pytest.warns(SageMakerHFWarning) as caught:
        predictor = _model(moto_session, moto_role_arn, model_reference_arn="arn:hub").deploy(
            1,
            "ml.m5.xlarge",
            endpoint_logging=True,
            inference_component_name="ic",
            managed_instance_scaling={"MaxInstanceCount": 2},
            inference_recommendation_id="rec-1",
        )
    messages = " ".join(str(warning.message) for warning in caught)
    for name in (
        "model_reference_arn",
        "endpoint_logging",
        "inference_component_name",
        "managed_instance_scaling",
        "inference_recommendation_id",
    ):
        assert name in messages
    assert caught[0].filename == __file__  # the warning points at the user's line
    assert moto_session.sagemaker_client.describe_endpoint(EndpointName=predictor.endpoint_name)


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"accelerator_type": "ml.eia2.medium"}, "Elastic Inference accelerators have been retired"),
        (
            {"endpoint_type": "InferenceComponentBased"},
            "endpoint_type='InferenceComponentBased' is not supported",
        ),
    ],
)
def test_requests_aws_would_refuse_fail_before_any_call(
    requests_log, moto_session, moto_role_arn, arguments, expected
):
    with pytest.raises(ConfigurationError, match=expected):
        _model(moto_session, moto_role_arn).deploy(1, "ml.m5.xlarge", **arguments)
    assert requests_log.operations() == []


def test_update_of_a_missing_endpoint_raises_v2s_value_error_before_creating_anything(
    requests_log, moto_session, moto_role_arn
):
    with pytest.raises(
        ValueError, match="Endpoint with name 'missing' does not exist; please use an existing"
    ):
        _model(moto_session, moto_role_arn).deploy(
            1, "ml.m5.xlarge", endpoint_name="missing", update_endpoint=True
        )
    assert requests_log.operations() == ["DescribeEndpoint"]
    client = moto_session.sagemaker_client
    assert client.list_models()["Models"] == []
    assert client.list_endpoint_configs()["EndpointConfigs"] == []


def test_predictor_cls_builds_the_predictor_as_in_v2(moto_session, moto_role_arn):
    model = _model(moto_session, moto_role_arn, predictor_cls=Predictor)
    plain = model.deploy(1, "ml.m5.xlarge", endpoint_name="plain")
    assert type(plain) is Predictor and plain.endpoint_name == "plain"
    assert isinstance(plain.serializer, IdentitySerializer)
    assert isinstance(plain.deserializer, BytesDeserializer)
    with_csv = model.deploy(1, "ml.m5.xlarge", endpoint_name="with-csv", serializer=CSVSerializer())
    assert isinstance(with_csv.serializer, CSVSerializer) and with_csv.content_type == "text/csv"
    wrapped = model.deploy(
        1, "ml.m5.xlarge", endpoint_name="async", async_inference_config=AsyncInferenceConfig()
    )
    assert isinstance(wrapped, AsyncPredictor) and type(wrapped.predictor) is Predictor


def test_predictor_cls_none_deploys_and_returns_none(moto_session, moto_role_arn):
    assert (
        _model(moto_session, moto_role_arn, predictor_cls=None).deploy(1, "ml.m5.xlarge", endpoint_name="e")
        is None
    )
    assert moto_session.sagemaker_client.describe_endpoint(EndpointName="e")["EndpointStatus"] == "InService"


def test_after_deploy_the_model_holds_the_resolved_image_and_names(moto_session, moto_role_arn):
    model = _model(moto_session, moto_role_arn)
    assert model.image_uri is None
    predictor = model.deploy(1, "ml.m5.xlarge")
    assert isinstance(predictor, HuggingFacePredictor)
    assert model.image_uri == CPU_IMAGE
    assert model.endpoint_name == predictor.endpoint_name
    described, _ = _describe(moto_session, predictor.endpoint_name)
    assert model.name == described["ModelName"]
    # A resolved image is not pinned: the next deploy resolves its own instance type's image.
    model.name = None
    model.deploy(1, "ml.g4dn.xlarge", endpoint_name="on-gpu")
    gpu_model, _ = _describe(moto_session, "on-gpu")
    assert gpu_model["PrimaryContainer"]["Image"] == GPU_IMAGE == model.image_uri


def test_explainer_config_in_the_apis_shape_reaches_the_endpoint_config(
    requests_log, moto_session, moto_role_arn
):
    explainer = {"ClarifyExplainerConfig": {"ShapConfig": {"ShapBaselineConfig": {"ShapBaseline": "1,2"}}}}
    _model(moto_session, moto_role_arn).deploy(1, "ml.m5.xlarge", explainer_config=explainer)
    # moto does not keep ExplainerConfig; the request as botocore sent it is the evidence.
    assert requests_log.one("CreateEndpointConfig")["ExplainerConfig"] == explainer
    with pytest.raises(
        ConfigurationError, match=r"explainer_config\['ClarifyExplainerConfig'\] needs the keys ShapConfig"
    ):
        _model(moto_session, moto_role_arn).deploy(
            1, "ml.m5.xlarge", explainer_config={"ClarifyExplainerConfig": {}}
        )


def test_git_config_packs_the_code_from_the_repository(moto_session, moto_role_arn, tmp_path):
    from tests.sdk.conftest import s3_bytes, tar_members
    from tests.training.git_repos import make_repository

    repository = make_repository(tmp_path / "origin")
    git_config = {"repo": str(repository.path), "branch": "main", "commit": repository.first_commit}
    model = _model(
        moto_session,
        moto_role_arn,
        entry_point="train.py",
        dependencies=["lib/helpers.py"],
        git_config=git_config,
    )
    predictor = model.deploy(1, "ml.m5.xlarge")
    described, _ = _describe(moto_session, predictor.endpoint_name)
    container = described["PrimaryContainer"]
    assert container["Environment"]["SAGEMAKER_PROGRAM"] == "train.py"
    members = tar_members(s3_bytes(moto_session, container["ModelDataUrl"]))
    assert members["code/train.py"] == b"print('v1')\n"  # the commit asked for, not main's tip
    assert members["code/lib/helpers.py"] == b"VALUE = 1\n"


def test_git_config_paths_are_checked_inside_the_repository(
    requests_log, moto_session, moto_role_arn, tmp_path
):
    from tests.training.git_repos import make_repository

    repository = make_repository(tmp_path / "origin")
    model = _model(
        moto_session, moto_role_arn, entry_point="missing.py", git_config={"repo": str(repository.path)}
    )
    with pytest.raises(ConfigurationError, match=r"entry_point='missing\.py' is not a file of"):
        model.deploy(1, "ml.m5.xlarge")
    assert "CreateModel" not in requests_log.operations()
    with pytest.raises(ConfigurationError, match="git_config needs entry_point"):
        _model(moto_session, moto_role_arn, git_config={"repo": str(repository.path)})
