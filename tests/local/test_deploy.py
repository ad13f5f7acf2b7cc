"""deploy(instance_type="local") end to end: two real endpoints at once, over real HTTP.

The module deploys a tiny text classifier and a tiny sentence-embedding model from local
directories, with no session passed, then checks predictions (JSON and CSV), boto3's
response and error shapes, listing, and finally deletion.
"""

from __future__ import annotations

import contextlib
from datetime import datetime

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from sagemaker_hf import HuggingFaceModel, HuggingFacePredictor
from sagemaker_hf.local import processes
from sagemaker_hf.local.mode import LOCAL_ACCOUNT_ID, LOCAL_ROLE_ARN
from sagemaker_hf.serializers import CSVSerializer
from sagemaker_hf.session import LocalSession
from tests.fixtures.local_mode import LOCAL_VERSIONS
from tests.local.conftest import endpoint_record, error_code, wait_in_service


@pytest.fixture(scope="module")
def deployed(local_home, tiny_models):
    """(classifier predictor, embedder predictor), started together and deleted at the end."""
    classifier = HuggingFaceModel(model_data=str(tiny_models["text-classification"]), **LOCAL_VERSIONS)
    embedder = HuggingFaceModel(
        model_data=str(tiny_models["sentence-transformers"]), name="tiny-embedder", **LOCAL_VERSIONS
    )
    predictors = [
        model.deploy(initial_instance_count=1, instance_type="local", wait=False)
        for model in (classifier, embedder)
    ]
    try:
        for predictor in predictors:
            wait_in_service(predictor.sagemaker_session, predictor.endpoint_name)
        yield predictors
    finally:
        for predictor in predictors:
            with contextlib.suppress(ClientError):
                predictor.delete_endpoint()


def test_no_session_needed_and_describe_has_boto3_shapes(deployed, tiny_models):
    classifier, _ = deployed
    session = classifier.sagemaker_session
    assert isinstance(session, LocalSession)
    client = session.sagemaker_client
    described = client.describe_endpoint(EndpointName=classifier.endpoint_name)
    assert described["EndpointStatus"] == "InService"
    assert described["EndpointArn"] == (
        f"arn:aws:sagemaker:us-east-1:{LOCAL_ACCOUNT_ID}:endpoint/{classifier.endpoint_name}"
    )
    assert isinstance(described["CreationTime"], datetime) and described["CreationTime"].tzinfo is not None
    variant = described["ProductionVariants"][0]
    assert (variant["VariantName"], variant["CurrentInstanceCount"]) == ("AllTraffic", 1)
    config = client.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
    assert config["ProductionVariants"][0]["InstanceType"] == "local"
    model = client.describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])
    assert model["ExecutionRoleArn"] == LOCAL_ROLE_ARN
    # A local directory is served in place: no archive was built.
    assert (
        model["PrimaryContainer"]["ModelDataUrl"] == f"file://{tiny_models['text-classification'].resolve()}"
    )


def test_predict_json(deployed):
    classifier, _ = deployed
    result = classifier.predict({"inputs": "I love this movie!"})
    assert len(result) == 1 and result[0]["label"] in {"NEGATIVE", "POSITIVE"}
    assert 0.0 <= result[0]["score"] <= 1.0


def test_predict_csv(deployed):
    classifier, _ = deployed
    predictor = HuggingFacePredictor(
        classifier.endpoint_name, classifier.sagemaker_session, serializer=CSVSerializer()
    )
    result = predictor.predict("inputs\nI love it\nI hate it")
    assert [item["label"] in {"NEGATIVE", "POSITIVE"} for item in result] == [True, True]


def test_the_second_endpoint_answers_at_the_same_time(deployed):
    classifier, embedder = deployed
    embeddings = embedder.predict({"inputs": ["A man is eating food.", "The stock market fell."]})[
        "embeddings"
    ]
    assert len(embeddings) == 2 and len(embeddings[0]) == 32
    assert classifier.predict({"inputs": "still here"})[0]["label"] in {"NEGATIVE", "POSITIVE"}


def test_model_errors_are_the_runtime_model_error(deployed):
    classifier, _ = deployed
    runtime = classifier.sagemaker_session.sagemaker_runtime_client
    with pytest.raises(runtime.exceptions.ModelError) as raised:
        runtime.invoke_endpoint(
            EndpointName=classifier.endpoint_name, Body=b"{not json", ContentType="application/json"
        )
    response = raised.value.response
    assert response["OriginalStatusCode"] == 400
    assert response["Error"]["Message"].startswith("Received client error (400) from primary with message")
    assert "BadInputError" in response["OriginalMessage"]
    with pytest.raises(ClientError) as unsupported:
        runtime.invoke_endpoint(
            EndpointName=classifier.endpoint_name, Body=b"x", ContentType="application/x-nope"
        )
    assert unsupported.value.response["OriginalStatusCode"] == 415


def test_invoke_endpoint_answers_with_a_streaming_body(deployed):
    classifier, _ = deployed
    runtime = classifier.sagemaker_session.sagemaker_runtime_client
    response = runtime.invoke_endpoint(
        EndpointName=classifier.endpoint_name, Body='{"inputs": "hello"}', ContentType="application/json"
    )
    assert response["ContentType"] == "application/json"
    assert response["InvokedProductionVariant"] == "AllTraffic"
    assert b'"label"' in response["Body"].read()


def test_list_endpoints_filters_sorts_and_pages(deployed):
    names = sorted(predictor.endpoint_name for predictor in deployed)
    client = deployed[0].sagemaker_session.sagemaker_client
    first = client.list_endpoints(SortBy="Name", SortOrder="Ascending", MaxResults=1)
    second = client.list_endpoints(
        SortBy="Name", SortOrder="Ascending", MaxResults=1, NextToken=first["NextToken"]
    )
    assert [page["Endpoints"][0]["EndpointName"] for page in (first, second)] == names
    assert "NextToken" not in second
    assert {item["EndpointStatus"] for item in first["Endpoints"] + second["Endpoints"]} == {"InService"}
    only = client.list_endpoints(NameContains=names[1][-12:])["Endpoints"]
    assert [item["EndpointName"] for item in only] == [names[1]]


def test_unknown_names_give_aws_errors(local_session):
    client, runtime = local_session.sagemaker_client, local_session.sagemaker_runtime_client
    with pytest.raises(ClientError) as described:
        client.describe_endpoint(EndpointName="missing")
    assert error_code(described.value) == "ValidationException"
    assert described.value.response["Error"]["Message"] == (
        f'Could not find endpoint "arn:aws:sagemaker:us-east-1:{LOCAL_ACCOUNT_ID}:endpoint/missing".'
    )
    with pytest.raises(runtime.exceptions.ValidationError, match="Endpoint missing of account"):
        runtime.invoke_endpoint(EndpointName="missing", Body=b"{}")
    with pytest.raises(ClientError, match="Could not find model"):
        client.delete_model(ModelName="missing")


def test_requests_are_validated_like_boto3(local_session):
    client = local_session.sagemaker_client
    with pytest.raises(ParamValidationError, match="Unknown parameter in input"):
        client.create_model(ModelName="x", PrimaryContainer={"Image": "i"}, Bogus=1)
    with pytest.raises(ParamValidationError, match="Invalid type for parameter EndpointName"):
        client.describe_endpoint(EndpointName=3)
    with pytest.raises(ClientError, match="regular expression pattern") as raised:
        client.describe_endpoint(EndpointName="../escape")
    assert error_code(raised.value) == "ValidationException"


def test_delete_stops_the_processes_and_forgets_the_endpoints(deployed, local_home, tiny_models):
    for predictor in deployed:
        session = predictor.sagemaker_session
        record = endpoint_record(session, predictor.endpoint_name)
        assert record is not None and record.current.process is not None
        process = record.current.process
        predictor.delete_endpoint()
        predictor.delete_model()
        assert not processes.is_running(process.pid, process.identity)
        assert endpoint_record(session, predictor.endpoint_name) is None
        assert not record.current.work_dir.exists()
        with pytest.raises(ClientError, match="Could not find endpoint"):
            session.sagemaker_client.describe_endpoint(EndpointName=predictor.endpoint_name)
    assert processes.marked_processes(local_home) == {}
    # Served in place, and left alone.
    assert (tiny_models["text-classification"] / "config.json").is_file()
