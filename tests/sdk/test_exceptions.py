"""Every public error is caught by the ``except`` clause an SDK v2 user wrote for the same condition.

One row per condition: what SDK v2 raised (its class, and the builtin classes it is), and
how ours is raised through the public surface. Ours must be an instance of each of
them, with SDK v2's class taken from ``sagemaker_hf.exceptions`` where v2 had its own
class. docs/migration.md ("Exceptions") is this table in prose. The v2 column was read
from v2's code and checked by running it (``sagemaker==2.257.7``); its class hierarchy is
re-checked against a live SDK v2 when its venv is there.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sagemaker_hf import HuggingFaceModel, Session, WaiterConfig, errors, image_uris
from sagemaker_hf import exceptions as v2_names  # v2's module name, an attribute alias of errors
from sagemaker_hf.hosting.predictor import AsyncInferenceResponse, AsyncPredictor, HuggingFacePredictor
from sagemaker_hf.serializers import CSVSerializer
from tests.sdk.conftest import HUB_ENV, VERSIONS, answer
from tests.sdk.sdk_v2_oracle import run_with_sdk_v2

BUCKET = "results"


def _failed_endpoint(session: Any, role: str, reason: str) -> None:
    failed = {"EndpointName": "ep", "EndpointStatus": "Failed", "FailureReason": reason}
    answer(session.sagemaker_client, "DescribeEndpoint", failed)  # moto's endpoints never fail
    model = HuggingFaceModel(role=role, env=HUB_ENV, sagemaker_session=session, **VERSIONS)
    model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge", endpoint_name="ep")


def _async_response(session: Any) -> AsyncInferenceResponse:
    session.s3_client.create_bucket(Bucket=BUCKET)
    predictor = AsyncPredictor(HuggingFacePredictor("ep", sagemaker_session=session))
    return AsyncInferenceResponse(
        predictor, f"s3://{BUCKET}/out/1.out", f"s3://{BUCKET}/failures/1-error.out"
    )


def _async_timeout(session: Any, role: str) -> None:
    _async_response(session).get_result(WaiterConfig(max_attempts=2, delay=0))


def _async_model_error(session: Any, role: str) -> None:
    response = _async_response(session)
    session.s3_client.put_object(Bucket=BUCKET, Key="failures/1-error.out", Body=b"CUDA out of memory")
    response.get_result(WaiterConfig(max_attempts=2, delay=0))


def _async_access_denied(session: Any, role: str) -> None:
    response = _async_response(session)

    def refuse(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}, "HeadObject")

    session.s3_client.meta.events.register("before-call.s3.HeadObject", refuse)
    response.get_result(WaiterConfig(max_attempts=2, delay=0))


def _iam_user_role(session: Any, role: str) -> None:
    from sagemaker_hf import get_execution_role

    get_execution_role(session)


def _unknown_role_name(session: Any, role: str) -> None:
    model = HuggingFaceModel(role="NoSuchRole", env=HUB_ENV, sagemaker_session=session, **VERSIONS)
    model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")


def _forbidden_default_bucket(session: Any, role: str) -> None:
    def refuse(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "403", "Message": "Forbidden"}}, "HeadBucket")

    session.s3_client.meta.events.register("before-call.s3.HeadBucket", refuse)
    session.default_bucket()


def _no_region(session: Any, role: str) -> None:
    from types import SimpleNamespace

    Session(boto_session=SimpleNamespace(region_name=None))  # a boto3 session that found no region


def _no_role(session: Any, role: str) -> None:
    HuggingFaceModel(env=HUB_ENV, sagemaker_session=session, **VERSIONS).deploy(1, "ml.m5.xlarge")


# condition, what SDK v2 raised (class, then the builtins it is), how ours is raised
TABLE: list[tuple[str, str, tuple[type, ...], Callable[[Any, str], None]]] = [
    ("get_execution_role() as a plain IAM user", "ValueError", (ValueError,), _iam_user_role),
    ("role=None when creating a model", "ValueError", (ValueError,), _no_role),
    ("a role name IAM does not know", "botocore ClientError", (ClientError,), _unknown_role_name),
    (
        "endpoint ends Failed",
        "UnexpectedStatusException",
        (ValueError,),
        lambda s, r: _failed_endpoint(s, r, "bad"),
    ),
    (
        "endpoint fails with a CapacityError reason",
        "CapacityError",
        (ValueError,),
        lambda s, r: _failed_endpoint(s, r, "CapacityError: no ml.m5.xlarge capacity"),
    ),
    ("async get_result(): nothing after the waiter", "PollingTimeoutError", (), _async_timeout),
    ("async get_result(): the failure object", "AsyncInferenceModelError", (), _async_model_error),
    ("async get_result(): S3 refuses the read", "UnexpectedClientError", (), _async_access_denied),
    (
        "default bucket owned by another account",
        "botocore ClientError",
        (ClientError,),
        _forbidden_default_bucket,
    ),
    ("no region configured", "ValueError", (ValueError,), _no_region),
    (
        "image_uris.retrieve with an unknown version",
        "ValueError",
        (ValueError,),
        lambda s, r: image_uris.retrieve("huggingface", "us-east-1", version="4.99", image_scope="inference"),
    ),
    (
        "get_huggingface_llm_image_uri with an unknown backend",
        "ValueError",
        (ValueError,),
        lambda s, r: image_uris.get_huggingface_llm_image_uri("huggingface-tie", region="us-east-1"),
    ),
    (
        "py_version='py2'",
        "ValueError",
        (ValueError,),
        lambda s, r: HuggingFaceModel(role=r, env=HUB_ENV, **{**VERSIONS, "py_version": "py2"}),
    ),
    ("CSVSerializer().serialize(3)", "TypeError", (TypeError,), lambda s, r: CSVSerializer().serialize(3)),
]


@pytest.mark.parametrize(
    ("condition", "v2_class", "builtins", "trigger"), TABLE, ids=[row[0] for row in TABLE]
)
def test_caught_by_sdk_v2_except_clauses(moto_session, moto_role_arn, condition, v2_class, builtins, trigger):
    with pytest.raises(errors.SageMakerHFError) as raised:
        trigger(moto_session, moto_role_arn)
    for kind in builtins:
        assert isinstance(raised.value, kind), f"{condition}: {type(raised.value).__mro__}"
    if hasattr(v2_names, v2_class):
        assert isinstance(raised.value, getattr(v2_names, v2_class))


def test_async_timeout_is_also_v2s_object_not_existed_and_a_timeout(moto_session, moto_role_arn):
    with pytest.raises(v2_names.ObjectNotExistedError) as raised:
        _async_timeout(moto_session, moto_role_arn)
    assert isinstance(raised.value, TimeoutError)
    assert raised.value.output_path == f"s3://{BUCKET}/out/1.out"
    assert "No result at s3://results/out/1.out" in str(raised.value)


def test_failed_resources_carry_v2s_attributes():
    failed = errors.ResourceFailedError("Training job", "job", "Failed", "AlgorithmError: boom")
    assert type(failed) is errors.ResourceFailedError
    assert (failed.actual_status, failed.allowed_statuses) == ("Failed", ["Completed", "Stopped"])
    capacity = errors.ResourceFailedError("Endpoint", "ep", "Failed", "CapacityError: none left")
    assert type(capacity) is errors.CapacityError
    assert capacity.allowed_statuses == ["InService"]
    import pickle

    assert type(pickle.loads(pickle.dumps(capacity))) is errors.CapacityError


def test_stream_errors_are_v2s_classes():
    from sagemaker_hf.hosting.response_stream import ByteIterator

    events = [{"PayloadPart": {"Bytes": b"he"}}, {"InternalStreamFailure": {"Message": "overloaded"}}]
    with pytest.raises(v2_names.InternalStreamFailure) as raised:
        list(ByteIterator(events))
    assert isinstance(raised.value, v2_names.ModelStreamError) and raised.value.message == "overloaded"
    model_error = errors.ModelStreamError("bad input", "ModelError")
    assert (model_error.message, model_error.code) == ("bad input", "ModelError")
    assert not isinstance(model_error, v2_names.InternalStreamFailure)


# The builtin classes of SDK v2's own exception classes, recorded from sagemaker==2.257.7.
V2_BUILTIN_BASES = {
    "UnexpectedStatusException": ["ValueError"],
    "CapacityError": ["ValueError"],
    "AsyncInferenceError": [],
    "ObjectNotExistedError": [],
    "PollingTimeoutError": [],
    "UnexpectedClientError": [],
    "AsyncInferenceModelError": [],
    "ModelStreamError": [],
    "InternalStreamFailure": [],
}
_V2_PROBE = (
    "import json, sagemaker.exceptions as e; print(json.dumps({n: [b.__name__ for b in getattr(e, n).__mro__ "
    "if b.__module__ == 'builtins' and b not in (object, BaseException, Exception)] for n in %r}))"
)


def test_every_v2_exception_name_exists_with_its_builtin_bases():
    import builtins

    assert sorted(errors.V2_EXCEPTION_NAMES) == sorted(V2_BUILTIN_BASES)
    for name, bases in V2_BUILTIN_BASES.items():
        ours = getattr(v2_names, name)
        assert issubclass(ours, errors.SageMakerHFError)
        for base in bases:
            assert issubclass(ours, getattr(builtins, base)), name


def test_recorded_v2_bases_are_what_sdk_v2_has():
    live = json.loads(run_with_sdk_v2("-c", _V2_PROBE % sorted(V2_BUILTIN_BASES)))
    assert live == V2_BUILTIN_BASES
