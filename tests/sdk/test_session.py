"""Session: region, clients made the standard way, account, default bucket, role discovery."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import boto3
import pytest

import sagemaker_hf
from sagemaker_hf.errors import ConfigurationError, RoleNotFoundError
from sagemaker_hf.session import Session, get_execution_role, session_for_instance_type
from tests.fixtures.moto_server import TRUST_POLICY

ACCOUNT = "123456789012"


@pytest.fixture
def no_notebook(monkeypatch, tmp_path):
    monkeypatch.setattr(Session, "notebook_metadata_path", tmp_path / "absent.json")


def test_region_from_argument_then_aws_region_then_default(monkeypatch, moto_endpoint):
    assert Session(region_name="eu-west-1").boto_region_name == "eu-west-1"
    monkeypatch.setenv("AWS_REGION", "ap-south-1")
    assert Session().boto_region_name == "ap-south-1"
    monkeypatch.delenv("AWS_REGION")
    assert Session().region_name == "us-east-1"  # AWS_DEFAULT_REGION, as botocore reads it


def test_missing_region_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    with pytest.raises(ConfigurationError, match="No AWS region") as raised:
        Session()
    assert "AWS_REGION" in str(raised.value)


def test_region_conflict_with_boto_session():
    with pytest.raises(ConfigurationError, match="conflicts"):
        Session(boto_session=boto3.Session(region_name="us-west-2"), region_name="eu-west-1")


def test_clients_come_from_configuration(monkeypatch, moto_endpoint):
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9")
    session = Session()
    client = session.sagemaker_client
    assert client.meta.endpoint_url == moto_endpoint
    assert client.meta.config.retries["mode"] == "standard"
    assert f"sagemaker-hf/{sagemaker_hf.__version__}" in client.meta.config.user_agent_extra
    assert session.sts_client.meta.endpoint_url == "http://127.0.0.1:9"  # per-service override
    assert session.s3_client is session.s3_client
    assert session.autoscaling_client.meta.service_model.service_name == "application-autoscaling"
    assert session.sagemaker_runtime_client.meta.service_model.service_name == "sagemaker-runtime"
    assert session.iam_client.meta.service_model.service_name == "iam"


def test_given_clients_are_used(moto_endpoint):
    client = boto3.client("sagemaker")
    runtime = boto3.client("sagemaker-runtime")
    session = Session(sagemaker_client=client, sagemaker_runtime_client=runtime)
    assert session.sagemaker_client is client
    assert session.sagemaker_runtime_client is runtime


def test_account_id_is_cached(requests_log, moto_session):
    assert moto_session.account_id() == ACCOUNT
    assert moto_session.account_id() == ACCOUNT
    assert requests_log.operations("sts") == ["GetCallerIdentity"]


def test_default_bucket_created_in_us_east_1(requests_log, moto_session):
    assert moto_session.default_bucket() == f"sagemaker-us-east-1-{ACCOUNT}"
    assert moto_session.default_bucket() == f"sagemaker-us-east-1-{ACCOUNT}"
    assert [b["Name"] for b in moto_session.s3_client.list_buckets()["Buckets"]] == [
        f"sagemaker-us-east-1-{ACCOUNT}"
    ]
    create = [params for service, name, params in requests_log.calls if name == "CreateBucket"]
    assert create == [{"Bucket": f"sagemaker-us-east-1-{ACCOUNT}"}]


def test_default_bucket_created_in_other_region_with_location(moto_endpoint):
    session = Session(region_name="eu-west-1")
    bucket = session.default_bucket()
    assert bucket == f"sagemaker-eu-west-1-{ACCOUNT}"
    assert session.s3_client.get_bucket_location(Bucket=bucket)["LocationConstraint"] == "eu-west-1"


def test_existing_and_custom_buckets(moto_endpoint):
    boto3.client("s3").create_bucket(Bucket="mine")
    session = Session(default_bucket="mine", default_bucket_prefix="/team/")
    assert session.default_bucket() == "mine"
    assert session.artifact_uri("a", "/b/") == "s3://mine/team/a/b"
    other = Session(default_bucket="fresh")
    assert other.artifact_uri("x") == "s3://fresh/x"
    assert "fresh" in [b["Name"] for b in other.s3_client.list_buckets()["Buckets"]]


def test_upload_data(moto_session, tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.jsonl").write_text('{"a": 1}\n')
    uri = moto_session.upload_data(str(tmp_path / "data"), key_prefix="datasets/imdb")
    assert uri == f"s3://sagemaker-us-east-1-{ACCOUNT}/datasets/imdb"
    body = moto_session.s3_client.get_object(
        Bucket=f"sagemaker-us-east-1-{ACCOUNT}", Key="datasets/imdb/train.jsonl"
    )["Body"].read()
    assert body == b'{"a": 1}\n'


def test_role_arn_is_kept_and_name_is_expanded(requests_log, moto_session, moto_role_arn):
    arn = "arn:aws:iam::111111111111:role/Other"
    assert moto_session.resolve_role(arn) == arn
    assert "GetRole" not in requests_log.operations("iam")
    assert moto_session.resolve_role("SageMakerExecutionRole") == moto_role_arn


def test_role_from_notebook_instance(monkeypatch, tmp_path, moto_session, moto_role_arn):
    moto_session.sagemaker_client.create_notebook_instance(
        NotebookInstanceName="my-notebook", InstanceType="ml.t2.medium", RoleArn=moto_role_arn
    )
    metadata = tmp_path / "resource-metadata.json"
    metadata.write_text(json.dumps({"ResourceName": "my-notebook"}))
    monkeypatch.setattr(Session, "notebook_metadata_path", metadata)
    assert get_execution_role(moto_session) == moto_role_arn


def test_role_from_studio_metadata_and_domain(monkeypatch, tmp_path, moto_session, moto_role_arn):
    metadata = tmp_path / "resource-metadata.json"
    monkeypatch.setattr(Session, "notebook_metadata_path", metadata)
    metadata.write_text(json.dumps({"DomainId": "d-1", "ExecutionRoleArn": "arn:aws:iam::1:role/Space"}))
    assert moto_session.resolve_role() == "arn:aws:iam::1:role/Space"

    domain = moto_session.sagemaker_client.create_domain(
        DomainName="studio",
        AuthMode="IAM",
        DefaultUserSettings={"ExecutionRole": moto_role_arn},
        SubnetIds=["subnet-1"],
        VpcId="vpc-1",
    )
    domain_id = domain["DomainArn"].rsplit("/", 1)[-1]
    metadata.write_text(json.dumps({"DomainId": domain_id}))
    assert moto_session.resolve_role() == moto_role_arn


def test_role_from_assumed_role_identity(no_notebook, moto_session, moto_role_arn):
    credentials = moto_session.sts_client.assume_role(RoleArn=moto_role_arn, RoleSessionName="notebook")[
        "Credentials"
    ]
    assumed = Session(
        boto_session=boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name="us-east-1",
        )
    )
    # The STS ARN drops the /service-role/ path; IAM restores it.
    assert assumed.resolve_role() == moto_role_arn


def test_no_role_for_an_iam_user_is_v2s_value_error_and_says_what_to_do(no_notebook, moto_session):
    with pytest.raises(ValueError) as raised:
        get_execution_role(moto_session)
    assert isinstance(raised.value, RoleNotFoundError)
    message = str(raised.value)
    # SDK v2's sentence first, then ours
    assert message.startswith("The current AWS identity is not a role: arn:aws:sts::123456789012:user/moto")
    assert "role=" in message
    assert "AmazonSageMakerFullAccess" in message
    with pytest.raises(RoleNotFoundError, match="use_default=True is not supported"):
        get_execution_role(moto_session, use_default=True)


# The Hugging Face Hub's "Deploy > Amazon SageMaker" snippet, with only the import changed.
HUB_DEPLOY_SNIPPET = """
import sagemaker_hf as sagemaker
import boto3
from sagemaker_hf import HuggingFaceModel

try:
    role = sagemaker.get_execution_role()
except ValueError:
    iam = boto3.client("iam")
    role = iam.get_role(RoleName="sagemaker_execution_role")["Role"]["Arn"]

hub = {"HF_MODEL_ID": "distilbert/distilbert-base-uncased", "HF_TASK": "fill-mask"}
huggingface_model = HuggingFaceModel(
    transformers_version="4.37.0", pytorch_version="2.1.0", py_version="py310", env=hub, role=role
)
predictor = huggingface_model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")
print(role, predictor.endpoint_name)
"""


def test_hub_snippet_reaches_its_fallback_and_deploys_as_a_plain_iam_user(moto_session):
    iam = moto_session.iam_client
    role_arn = iam.create_role(
        RoleName="sagemaker_execution_role", AssumeRolePolicyDocument=json.dumps(TRUST_POLICY)
    )["Role"]["Arn"]
    iam.create_user(UserName="laptop-user")
    key = iam.create_access_key(UserName="laptop-user")["AccessKey"]
    environment = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
    }
    user = boto3.client(
        "sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    ).get_caller_identity()["Arn"]
    assert user == f"arn:aws:iam::{ACCOUNT}:user/laptop-user"  # what moto's STS says for these keys

    done = subprocess.run(
        [sys.executable, "-c", HUB_DEPLOY_SNIPPET],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    printed_role, endpoint_name = done.stdout.split()[-2:]
    assert printed_role == role_arn
    endpoint = moto_session.sagemaker_client.describe_endpoint(EndpointName=endpoint_name)
    assert endpoint["EndpointStatus"] == "InService"


def test_session_for_instance_type(moto_endpoint):
    session = Session()
    assert session_for_instance_type(session, "ml.m5.xlarge") is session
    assert isinstance(session_for_instance_type(None, "ml.m5.xlarge"), Session)


def test_top_level_names(moto_endpoint):
    assert sagemaker_hf.Session is Session
    assert sagemaker_hf.get_execution_role is get_execution_role


def _fail(client, operation, code):
    from botocore.exceptions import ClientError

    def raise_error(**_):
        raise ClientError({"Error": {"Code": code, "Message": code}}, operation)

    client.meta.events.register(f"before-call.s3.{operation}", raise_error)


def test_bucket_created_meanwhile_is_fine(moto_endpoint):
    session = Session(region_name="eu-west-1")
    bucket = f"sagemaker-eu-west-1-{ACCOUNT}"
    session.s3_client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    _fail(session.s3_client, "HeadBucket", "404")  # as if it appeared between our two calls
    assert session.default_bucket() == bucket


@pytest.mark.parametrize(
    ("operation", "code", "expected"),
    [
        ("HeadBucket", "403", "may not use it"),
        ("CreateBucket", "BucketAlreadyExists", "taken by another account"),
    ],
)
def test_bucket_owned_elsewhere_says_pass_default_bucket(moto_session, operation, code, expected):
    from botocore.exceptions import ClientError

    _fail(moto_session.s3_client, operation, code)
    with pytest.raises(ConfigurationError, match=expected) as raised:
        moto_session.default_bucket()
    assert "default_bucket=" in str(raised.value)
    # SDK v2 let S3's error through: `except ClientError` still catches ours, with S3's answer
    assert isinstance(raised.value, ClientError)
    assert raised.value.response["Error"]["Code"] == code


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: Session(default_bucket=3),
            r"Session\(default_bucket=...\): got int 3; expected str or None",
        ),
        (lambda: Session(region_name=["us-east-1"]), r"Session\(region_name=...\): got list"),
        (
            lambda: sagemaker_hf.LocalSession(startup_timeout="soon"),
            r"LocalSession\(startup_timeout=...\): got str 'soon'; expected float or None",
        ),
        (lambda: get_execution_role(use_default="yes"), r"get_execution_role\(use_default=...\): got str"),
        (
            lambda: Session(region_name="us-east-1").upload_data(3),
            r"Session.upload_data\(path=...\): got int 3",
        ),
    ],
)
def test_public_arguments_are_type_checked(moto_endpoint, call, message):
    from sagemaker_hf.errors import ArgumentTypeError

    with pytest.raises(ArgumentTypeError, match=message) as raised:
        call()
    assert isinstance(raised.value, TypeError) and isinstance(raised.value, ValueError)
