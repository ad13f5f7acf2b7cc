"""SDK v2's generic ``sagemaker.predictor.Predictor`` (issue 15.20), against moto."""

from __future__ import annotations

from typing import Any

import pytest

from sagemaker_hf import HuggingFaceModel, HuggingFacePredictor
from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.hosting.predictor import Predictor
from sagemaker_hf.serializers import BytesDeserializer, IdentitySerializer, JSONDeserializer, JSONSerializer
from tests.sdk.conftest import HUB_ENV, VERSIONS, answer


def _deploy(session: Any, role: str, endpoint_name: str = "ep") -> Any:
    model = HuggingFaceModel(role=role, env=HUB_ENV, sagemaker_session=session, **VERSIONS)
    return model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge", endpoint_name=endpoint_name)


def test_v2_defaults_bytes_in_bytes_out(requests_log, moto_session, moto_results):
    predictor = Predictor("some-endpoint", moto_session)
    assert isinstance(predictor.serializer, IdentitySerializer)
    assert isinstance(predictor.deserializer, BytesDeserializer)
    assert predictor.content_type == "application/octet-stream"
    assert predictor.accept == ("*/*",)
    moto_results.queue({"Body": "raw answer", "ContentType": "text/plain"})

    assert predictor.predict(b"\x00raw bytes") == b"raw answer"
    sent = requests_log.one("InvokeEndpoint")
    assert sent["Body"] == b"\x00raw bytes"
    assert (sent["ContentType"], sent["Accept"]) == ("application/octet-stream", "*/*")
    assert "InferenceComponentName" not in sent


def test_content_type_accept_and_component_name_reach_the_request(requests_log, moto_session, moto_results):
    predictor = Predictor("some-endpoint", moto_session, component_name="component-a")
    predictor.content_type = "image/png"  # v2 had setters for both
    predictor.accept = "application/json"
    moto_results.queue({"Body": "{}", "ContentType": "application/json"})
    predictor.predict(b"png")
    sent = requests_log.one("InvokeEndpoint")
    assert (sent["ContentType"], sent["Accept"]) == ("image/png", "application/json")
    assert sent["InferenceComponentName"] == "component-a"


def test_huggingface_predictor_is_the_json_specialisation(moto_session):
    predictor = HuggingFacePredictor("some-endpoint", moto_session)
    assert isinstance(predictor, Predictor)
    assert isinstance(predictor.serializer, JSONSerializer)
    assert isinstance(predictor.deserializer, JSONDeserializer)
    assert HuggingFacePredictor.predict is Predictor.predict  # one implementation, not a copy


def test_a_predictor_by_name_deletes_what_deploy_created(moto_session, moto_role_arn):
    _deploy(moto_session, moto_role_arn, endpoint_name="by-name")
    predictor = Predictor("by-name", sagemaker_session=moto_session)
    predictor.delete_model()
    predictor.delete_endpoint()
    client = moto_session.sagemaker_client
    assert client.list_endpoints()["Endpoints"] == []
    assert client.list_endpoint_configs()["EndpointConfigs"] == []
    assert client.list_models()["Models"] == []


def _answer_update_endpoint(session: Any) -> None:
    # moto has no UpdateEndpoint: this one client answers it itself; the rest goes to moto.
    arn = "arn:aws:sagemaker:us-east-1:123456789012:endpoint/x"
    answer(session.sagemaker_client, "UpdateEndpoint", {"EndpointArn": arn})


def test_update_endpoint_moves_to_a_new_config_with_the_new_instances(
    requests_log, moto_session, moto_role_arn
):
    predictor = _deploy(moto_session, moto_role_arn, endpoint_name="to-update")
    client = moto_session.sagemaker_client
    first = client.describe_endpoint_config(EndpointConfigName="to-update")
    _answer_update_endpoint(moto_session)

    predictor.update_endpoint(initial_instance_count=2, instance_type="ml.c5.xlarge")

    update = requests_log.one("UpdateEndpoint")
    assert update["EndpointName"] == "to-update"
    assert update["EndpointConfigName"] != "to-update" and update["EndpointConfigName"].startswith(
        "to-update-"
    )
    config = client.describe_endpoint_config(EndpointConfigName=update["EndpointConfigName"])
    [variant] = config["ProductionVariants"]
    assert (variant["InstanceType"], variant["InitialInstanceCount"]) == ("ml.c5.xlarge", 2)
    assert variant["ModelName"] == first["ProductionVariants"][0]["ModelName"]


def test_update_endpoint_copies_the_current_config_and_replaces_what_is_given(
    requests_log, moto_session, moto_role_arn
):
    _deploy(moto_session, moto_role_arn, endpoint_name="keep")
    _answer_update_endpoint(moto_session)
    capture = {
        "EnableCapture": True,
        "InitialSamplingPercentage": 10,
        "DestinationS3Uri": "s3://capture/here",
        "CaptureOptions": [{"CaptureMode": "Input"}],
    }
    Predictor("keep", moto_session).update_endpoint(data_capture_config_dict=capture, kms_key="new-key")
    update = requests_log.one("UpdateEndpoint")
    config = moto_session.sagemaker_client.describe_endpoint_config(
        EndpointConfigName=update["EndpointConfigName"]
    )
    assert config["DataCaptureConfig"]["DestinationS3Uri"] == "s3://capture/here"
    assert config["KmsKeyId"] == "new-key"
    assert config["ProductionVariants"][0]["InstanceType"] == "ml.m5.xlarge"  # copied


def test_update_endpoint_refuses_half_a_variant_and_missing_endpoints(
    requests_log, moto_session, moto_role_arn
):
    with pytest.raises(ValueError, match="Endpoint with name 'nowhere' does not exist"):
        Predictor("nowhere", moto_session).update_endpoint(
            initial_instance_count=1, instance_type="ml.m5.xlarge"
        )
    predictor = _deploy(moto_session, moto_role_arn, endpoint_name="half")
    with pytest.raises(ConfigurationError, match="Missing initial_instance_count and/or instance_type"):
        predictor.update_endpoint(instance_type="ml.c5.xlarge")
    client = moto_session.sagemaker_client
    assert [config["EndpointConfigName"] for config in client.list_endpoint_configs()["EndpointConfigs"]] == [
        "half"
    ]
