"""Every local List* call applies every filter its request may hold (issue 15.9, one List*).

The resources are records on disk with chosen times, so that each filter has an answer to
check: three of each kind, whose creation and last-modified orders differ, and two statuses.
Which filters each call has comes from botocore's model; a member with no case here fails.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone

import botocore.session
import pytest
from botocore.exceptions import ClientError

from sagemaker_hf.local import processes
from sagemaker_hf.local.batch.jobs import JobOwner, TransformJobRecord
from sagemaker_hf.local.registry import (
    ChildProcess,
    Deployment,
    EndpointConfigRecord,
    EndpointRecord,
    ModelRecord,
)
from sagemaker_hf.local.training.jobs import TrainingJobRecord
from tests.local.conftest import error_code

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
NAMES = ("alpha-1", "beta-2", "gamma-3")
CREATED = {"alpha-1": 1, "beta-2": 2, "gamma-3": 3}  # hours after T0
MODIFIED = {"alpha-1": 5, "beta-2": 4, "gamma-3": 6}
NEWEST_FIRST = ["gamma-3", "beta-2", "alpha-1"]  # the default order: CreationTime, Descending


def _at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


# call -> (method, operation, result key, name field, status of alpha and gamma, status of beta)
CALLS = {
    "endpoints": ("list_endpoints", "ListEndpoints", "Endpoints", "EndpointName", ("Failed", "Creating")),
    "models": ("list_models", "ListModels", "Models", "ModelName", None),
    "endpoint-configs": (
        "list_endpoint_configs",
        "ListEndpointConfigs",
        "EndpointConfigs",
        "EndpointConfigName",
        None,
    ),
    "transform-jobs": (
        "list_transform_jobs",
        "ListTransformJobs",
        "TransformJobSummaries",
        "TransformJobName",
        ("Completed", "Failed"),
    ),
    "training-jobs": (
        "list_training_jobs",
        "ListTrainingJobs",
        "TrainingJobSummaries",
        "TrainingJobName",
        ("Completed", "Failed"),
    ),
}


def _status(call: str, name: str) -> str:
    first, second = CALLS[call][4]
    return second if name == "beta-2" else first


def _cases(call: str) -> dict[str, list[tuple[dict, list[str]]]]:
    """request member -> [(request, expected names in order)]."""
    cases = {
        "NameContains": [({"NameContains": "et"}, ["beta-2"])],
        "CreationTimeAfter": [({"CreationTimeAfter": _at(1.5)}, ["gamma-3", "beta-2"])],
        "CreationTimeBefore": [({"CreationTimeBefore": _at(2.5)}, ["beta-2", "alpha-1"])],
        "LastModifiedTimeAfter": [({"LastModifiedTimeAfter": _at(4.5)}, ["gamma-3", "alpha-1"])],
        "LastModifiedTimeBefore": [({"LastModifiedTimeBefore": _at(5.5)}, ["beta-2", "alpha-1"])],
        "SortBy": [
            ({"SortBy": "Name", "SortOrder": "Ascending"}, ["alpha-1", "beta-2", "gamma-3"]),
            ({"SortBy": "Name"}, ["gamma-3", "beta-2", "alpha-1"]),
            ({"SortBy": "CreationTime", "SortOrder": "Ascending"}, ["alpha-1", "beta-2", "gamma-3"]),
        ],
        "SortOrder": [({"SortOrder": "Ascending"}, ["alpha-1", "beta-2", "gamma-3"])],
        "MaxResults": [({"MaxResults": 2}, ["gamma-3", "beta-2"])],
        "NextToken": [({"MaxResults": 2, "NextToken": "2"}, ["alpha-1"])],
        "WarmPoolStatusEquals": [({"WarmPoolStatusEquals": "Available"}, [])],  # no warm pools here
        "TrainingPlanArnEquals": [
            ({"TrainingPlanArnEquals": "arn:aws:sagemaker:us-east-1:000000000000:training-plan/plan"}, [])
        ],
    }
    if CALLS[call][4] is not None:
        first, second = CALLS[call][4]
        cases["StatusEquals"] = [
            ({"StatusEquals": first}, ["gamma-3", "alpha-1"]),
            ({"StatusEquals": second}, ["beta-2"]),
        ]
        by_status = sorted(NAMES, key=lambda name: _status(call, name))
        cases["SortBy"].append(({"SortBy": "Status", "SortOrder": "Ascending"}, by_status))
    return cases


def _members(operation: str) -> list[str]:
    model = botocore.session.get_session().get_service_model("sagemaker")
    return list(model.operation_model(operation).input_shape.members)


CASES = [(call, member) for call in CALLS for member in _members(CALLS[call][1])]


@pytest.fixture(scope="module")
def listed(local_session, tmp_path_factory):
    """Three records of each kind; an endpoint that is Creating has a live (sleeping) process."""
    registry = local_session.sagemaker_client.registry
    work = tmp_path_factory.mktemp("listing")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True)
    owner = JobOwner(pid=sleeper.pid, identity=processes.identity(sleeper.pid))
    config = {
        "EndpointConfigName": "c",
        "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": "m", "InstanceType": "local"}],
    }
    for name in NAMES:
        created, modified = _at(CREATED[name]), _at(MODIFIED[name])
        common = {"name": name, "arn": f"arn:{name}", "created": created}
        registry.save(ModelRecord(**common, request={}))
        registry.save(EndpointConfigRecord(**common, request=config))
        creating = _status("endpoints", name) == "Creating"
        process = ChildProcess(
            pid=sleeper.pid,
            identity=owner.identity,
            port=processes.free_port(),
            model_dir=work,
            log_path=work / "server.log",
        )
        deployment = Deployment(
            config=config,
            model={"PrimaryContainer": {"Image": "image"}},
            work_dir=work / name,
            process=process if creating else None,
            started=datetime.now(timezone.utc),
            startup_timeout_seconds=600,
        )
        failure = None if creating else "it failed"
        registry.save(EndpointRecord(**common, modified=modified, current=deployment, failure=failure))
        registry.save(
            TransformJobRecord(
                **common,
                modified=modified,
                request={},
                work_dir=work / name,
                owner=owner,
                status=_status("transform-jobs", name),
            )
        )
        registry.save(
            TrainingJobRecord(
                **common,
                modified=modified,
                request={},
                work_dir=work / name,
                status=_status("training-jobs", name),
            )
        )
    try:
        yield local_session.sagemaker_client
    finally:
        for kind in (
            ModelRecord,
            EndpointConfigRecord,
            EndpointRecord,
            TransformJobRecord,
            TrainingJobRecord,
        ):
            for name in NAMES:
                registry.remove(kind, name)
        sleeper.kill()
        sleeper.wait(timeout=10)


@pytest.mark.parametrize(("call", "member"), CASES, ids=[f"{call}-{member}" for call, member in CASES])
def test_each_filter_of_each_list_call(listed, call, member):
    method, operation, result_key, name_field, _ = CALLS[call]
    cases = _cases(call)
    assert member in cases, f"{operation} takes {member}, which no case here checks"
    for request, expected in cases[member]:
        response = getattr(listed, method)(**request)
        assert [item[name_field] for item in response[result_key]] == expected, request
        if request.get("MaxResults") == 2 and "NextToken" not in request:
            assert response["NextToken"] == "2"
        else:
            assert "NextToken" not in response


@pytest.mark.parametrize("call", list(CALLS))
def test_summaries_have_boto3s_fields_and_bad_tokens_are_refused(listed, call):
    method, operation, result_key, name_field, statuses = CALLS[call]
    summaries = getattr(listed, method)()[result_key]
    model = botocore.session.get_session().get_service_model("sagemaker")
    allowed = set(model.operation_model(operation).output_shape.members[result_key].member.members)
    for summary in summaries:
        assert set(summary) <= allowed
        assert {name_field, "CreationTime"} <= set(summary)
    if statuses is not None:
        assert {item[name_field]: item for item in summaries}["beta-2"][
            name_field.replace("Name", "Status")
        ] == statuses[1]
    with pytest.raises(ClientError) as raised:
        getattr(listed, method)(NextToken="not-a-token")
    assert error_code(raised.value) == "ValidationException"
