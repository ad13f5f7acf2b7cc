"""Real notebooks, with only the import changed: does SDK v2 code run on sagemaker-hf? (issue 15)

``scripts/`` holds the code cells of the Hugging Face SageMaker notebooks
(huggingface/notebooks ``sagemaker/NN_*``), of the Hugging Face SageMaker docs pages and of
the Hub's generated deploy and train snippets, one file each, changed only where their
headers say: the import lines (``import sagemaker`` -> ``import sagemaker_hf as sagemaker``;
``sagemaker.huggingface`` and the names docs/migration.md maps -> ``sagemaker_hf``; any other
``sagemaker.<module>`` -> ``sagemaker_hf.<module>``), the data loading (datasets from the Hub
-> a few local rows), the instance type where the script runs in local mode, placeholders
the user must fill, and load loops shortened for CI. Shell cells and magics are dropped; the
runner provides what they made (``cases.py``).

Each script runs twice, in a fresh Python process against the moto server (which here also
writes a training job's logs, metrics and ``model.tar.gz``, as SageMaker does:
``moto_sagemaker.py``):

- as a plain IAM user: moto's default credentials, whose identity is ``user/moto``;
- as an assumed role: credentials from STS AssumeRole on ``SageMakerExecutionRole``, as a
  SageMaker notebook instance has them.

A script runs when it exits 0. Known failures are strict xfails naming the issue item they
wait for (``cases.py``); the run ends with the line
``notebooks: N of M run as a plain IAM user, K of M as an assumed role``.
"""

from __future__ import annotations

import io
import json
import tarfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.local_mode import stop_stray_processes
from tests.fixtures.moto_server import TRUST_POLICY
from tests.notebooks import tally
from tests.notebooks.cases import ASSUMED_ROLE, CASES, IAM_USER, IDENTITIES, answer_bodies
from tests.notebooks.moto_sagemaker import plays_sagemaker
from tests.notebooks.workspace import (
    Workspace,
    git_redirect,
    run_script,
    script_names,
    transformers_repository,
)


class ExpectedFailure(Exception):
    """The script failed with the error its case expects."""


def _parameters() -> list[Any]:
    parameters = []
    for name in script_names():
        case = CASES.get(name)
        for identity in IDENTITIES:
            marks = []
            expected = case.expected(identity) if case else None
            if case and case.mode == "local":
                marks.append(pytest.mark.slow)
            if expected:
                reason = f"{expected.waits_for} ({expected.error})"
                marks.append(pytest.mark.xfail(raises=ExpectedFailure, strict=True, reason=reason))
            parameters.append(pytest.param(name, identity, marks=marks, id=f"{name}-{identity}"))
    return parameters


def test_every_script_has_a_case() -> None:
    names = set(script_names())
    assert len(names) >= 44, "31 notebooks, the docs pages' snippets and the Hub's snippets"
    assert sorted(names - set(CASES)) == [], "scripts without a case in tests/notebooks/cases.py"
    assert sorted(set(CASES) - names) == [], "cases without a script in tests/notebooks/scripts/"


@pytest.fixture(scope="module")
def transformers_checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return transformers_repository(tmp_path_factory.mktemp("git") / "transformers")


def _credentials(identity: str, session: Any, role_arn: str) -> dict[str, str]:
    if identity == IAM_USER:
        return {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    assumed = session.sts_client.assume_role(RoleArn=role_arn, RoleSessionName="SageMaker")["Credentials"]
    return {
        "AWS_ACCESS_KEY_ID": assumed["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": assumed["SecretAccessKey"],
        "AWS_SESSION_TOKEN": assumed["SessionToken"],
    }


@pytest.mark.parametrize(("name", "identity"), _parameters())
def test_notebook(
    name: str,
    identity: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tiny_models: Any,
    local_home: Path,
    moto_session: Any,
    moto_role_arn: str,
    moto_results: Any,
    transformers_checkout: Path,
) -> None:
    case = CASES[name]
    plays_sagemaker(monkeypatch, case.artifact)
    # The role the notebooks' fallback (and the Hub's snippets) ask IAM for by name.
    moto_session.iam_client.create_role(
        RoleName="sagemaker_execution_role", AssumeRolePolicyDocument=json.dumps(TRUST_POLICY)
    )
    workspace = Workspace(tmp_path / "work", tmp_path / "hub", tiny_models, moto_session.s3_client)
    workspace.folder.mkdir()
    case.prepare(workspace)
    if case.answers:
        moto_results.queue(*answer_bodies(case))

    env = {**_credentials(identity, moto_session, moto_role_arn), **git_redirect(transformers_checkout)}
    try:
        finished = run_script(name, workspace, env)
    finally:
        stop_stray_processes(local_home)  # endpoints a script leaves running, as the Hub's snippet does
    tally.record(name, identity, finished.returncode == 0)
    if finished.returncode == 0:
        if case.check is not None:
            case.check(finished.stdout)
        return
    expected = case.expected(identity)
    if expected and expected.error in finished.error:
        raise ExpectedFailure(finished.error)
    who = "a plain IAM user" if identity == IAM_USER else "an assumed role"
    pytest.fail(
        f"{name} as {who} exited with {finished.returncode}: {finished.error}\n"
        f"--- stdout (end) ---\n{finished.stdout[-2000:]}\n--- stderr (end) ---\n{finished.stderr[-4000:]}",
        pytrace=False,
    )


def test_the_two_identities_are_a_user_and_an_assumed_role(moto_session: Any, moto_role_arn: str) -> None:
    import boto3

    arns = {}
    for identity in IDENTITIES:
        credentials = _credentials(identity, moto_session, moto_role_arn)
        session = boto3.Session(
            aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=credentials.get("AWS_SESSION_TOKEN"),
        )
        arns[identity] = session.client("sts").get_caller_identity()["Arn"]
    assert arns[IAM_USER] == "arn:aws:sts::123456789012:user/moto"
    assert arns[ASSUMED_ROLE] == "arn:aws:sts::123456789012:assumed-role/SageMakerExecutionRole/SageMaker"


def test_moto_writes_what_sagemaker_writes_for_a_training_job(
    monkeypatch: pytest.MonkeyPatch, moto_session: Any, moto_role_arn: str
) -> None:
    plays_sagemaker(monkeypatch, {"eval_results.json": '{"eval_loss": 0.5}'})
    bucket = "sagemaker-us-east-1-123456789012"
    moto_session.s3_client.create_bucket(Bucket=bucket)
    definitions = [{"Name": "eval_loss", "Regex": "eval_loss = (\\S+)"}]
    moto_session.sagemaker_client.create_training_job(
        TrainingJobName="job",
        AlgorithmSpecification={
            "TrainingImage": "image",
            "TrainingInputMode": "File",
            "MetricDefinitions": definitions,
        },
        RoleArn=moto_role_arn,
        OutputDataConfig={"S3OutputPath": f"s3://{bucket}/out"},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 1},
        StoppingCondition={"MaxRuntimeInSeconds": 60},
    )
    job = moto_session.sagemaker_client.describe_training_job(TrainingJobName="job")
    assert job["AlgorithmSpecification"]["MetricDefinitions"] == definitions

    logs = moto_session.client("logs")
    streams = logs.describe_log_streams(
        logGroupName="/aws/sagemaker/TrainingJobs", logStreamNamePrefix="job/"
    )
    [stream] = streams["logStreams"]
    events = logs.get_log_events(
        logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=stream["logStreamName"]
    )
    assert "eval_loss = 0.5" in [event["message"] for event in events["events"]]

    points = moto_session.client("cloudwatch").get_metric_statistics(
        Namespace="/aws/sagemaker/TrainingJobs",
        MetricName="eval_loss",
        Dimensions=[{"Name": "TrainingJobName", "Value": "job"}],
        StartTime=job["TrainingStartTime"] - timedelta(minutes=1),
        EndTime=job["TrainingStartTime"] + timedelta(minutes=1),
        Period=60,
        Statistics=["Average"],
    )["Datapoints"]
    assert [point["Average"] for point in points] == [0.5]

    archive = moto_session.s3_client.get_object(Bucket=bucket, Key="out/job/output/model.tar.gz")[
        "Body"
    ].read()
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as packed:
        assert packed.extractfile("eval_results.json").read() == b'{"eval_loss": 0.5}'


def test_moto_takes_todays_instances_and_binary_bodies(
    monkeypatch: pytest.MonkeyPatch, moto_session: Any, moto_role_arn: str, moto_results: Any
) -> None:
    plays_sagemaker(monkeypatch, {})
    client = moto_session.sagemaker_client
    client.create_model(ModelName="m", PrimaryContainer={"Image": "image"}, ExecutionRoleArn=moto_role_arn)
    variant = {
        "VariantName": "AllTraffic",
        "ModelName": "m",
        "InstanceType": "ml.g5.2xlarge",
        "InitialInstanceCount": 1,
    }
    client.create_endpoint_config(EndpointConfigName="c", ProductionVariants=[variant])
    client.create_endpoint(EndpointName="e", EndpointConfigName="c")
    moto_results.queue({"Body": '{"ok": true}', "ContentType": "application/json"})
    answer = moto_session.sagemaker_runtime_client.invoke_endpoint(
        EndpointName="e", Body=b"\xff\xd8\xff\xe0 a JPEG", ContentType="image/x-image"
    )
    assert answer["Body"].read() == b'{"ok": true}'
