"""An in-memory AWS for the parity runner: every botocore client answers from here.

:func:`install` wraps ``botocore.session.Session.create_client`` so that each client made
in the process (boto3 clients and resources, both SDKs' sessions) gets two handlers:

- ``provide-client-params`` (registered first): a snapshot of the parameters exactly as
  the caller passed them, before botocore adds its own (checksums, idempotency tokens);
- ``before-call`` (registered last, after botocore's parameter validation): the call is
  recorded and answered from :class:`FakeAWS`, which short-circuits the HTTP request.

So nothing goes on the wire, botocore still validates every request against the API
model, and errors come back as the real ``ClientError`` subclasses. Only the standard
library and botocore are used: the same file runs in SDK v2's venv and in ours.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import threading
import uuid
from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"
DEFAULT_BUCKET = f"sagemaker-{REGION}-{ACCOUNT}"
ROLE_NAME = "SageMakerRole"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE_NAME}"
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/parity-user"
ASSUMED_ROLE_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/{ROLE_NAME}/parity-session"
# A scenario that calls the same read operation this often is polling for ever.
MAX_CALLS_PER_OPERATION = 500
NOW = datetime.datetime(2025, 1, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)


class FakeError(Exception):
    """Raised by a fake operation: becomes an AWS error response (and a ClientError)."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status = code, message, status


def snake(operation: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", operation).lower()


def read_body(body: Any) -> bytes:
    """The bytes of a request body (bytes, str or a seekable file), left where it was."""
    if body is None:
        return b""
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    if isinstance(body, str):
        return body.encode()
    position = body.tell()
    data = body.read()
    body.seek(position)
    return data if isinstance(data, bytes) else data.encode()


def snapshot(value: Any) -> Any:
    """A deep copy of request parameters; streams become their bytes."""
    if isinstance(value, dict):
        return {key: snapshot(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [snapshot(item) for item in value]
    if hasattr(value, "read"):
        return read_body(value)
    return value


def streaming_body(data: bytes) -> Any:
    from botocore.response import StreamingBody

    return StreamingBody(io.BytesIO(data), len(data))


def etag(data: bytes) -> str:
    return '"' + hashlib.md5(data).hexdigest() + '"'


class Call:
    """One request as a side sent it: service, operation, parameters."""

    def __init__(self, service: str, operation: str, params: dict[str, Any]) -> None:
        self.service, self.operation, self.params = service, operation, params


class FakeAWS:
    """The services the scenarios use, in memory, plus the log of every call."""

    def __init__(self) -> None:
        from tests.parity.fake_sagemaker import FakeSageMaker

        self.lock = threading.RLock()
        self.calls: list[Call] = []
        self.unimplemented: list[str] = []
        self.identity = "role"  # "role": an assumed role; "user": a plain IAM user
        # The account's IAM roles: the scenarios' role, and the one the Hub's snippet falls back to.
        self.roles = {ROLE_NAME, "sagemaker_execution_role"}
        self.buckets: dict[str, dict[str, bytes]] = {DEFAULT_BUCKET: {}}
        self.uploads: dict[str, dict[int, bytes]] = {}
        self.sagemaker = FakeSageMaker(self)
        self.scaling_targets: dict[str, dict[str, Any]] = {}
        self.scaling_policies: dict[str, dict[str, Any]] = {}
        self.log_lines = ["epoch 1: loss 0.5", "training done"]
        self.metric_points = [{"Timestamp": NOW, "Average": 0.5, "Unit": "None"}]

    # ---- what scenarios set up ---------------------------------------------------------

    def put_object(self, uri: str, data: bytes) -> str:
        bucket, key = split_s3(uri)
        self.buckets.setdefault(bucket, {})[key] = data
        return uri

    # ---- the botocore hooks ------------------------------------------------------------

    @staticmethod
    def capture(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["parity_params"] = snapshot(params)

    def answer(self, service: str, model: Any, context: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        from botocore.awsrequest import AWSResponse

        params = context.get("parity_params", {})
        operation = model.name
        with self.lock:
            self.calls.append(Call(service, operation, params))
            repeated = sum(1 for call in self.calls if call.operation == operation)
            try:
                if repeated > MAX_CALLS_PER_OPERATION:
                    raise FakeError(
                        "ParityRunaway", f"{operation} called {repeated} times: polling for ever?"
                    )
                parsed = self._dispatch(service, operation, params)
                status = 200
            except FakeError as error:
                parsed = {"Error": {"Code": error.code, "Message": error.message}}
                status = error.status
        parsed["ResponseMetadata"] = {
            "RequestId": "parity",
            "HTTPStatusCode": status,
            "HTTPHeaders": {},
            "RetryAttempts": 0,
        }
        return AWSResponse(f"https://{service}.fake", status, {}, None), parsed

    def _dispatch(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        owner = self.sagemaker if service in ("sagemaker", "sagemaker-runtime") else self
        handler = getattr(owner, f"{service.replace('-', '_')}__{snake(operation)}", None)
        if handler is None:
            self.unimplemented.append(f"{service}.{operation}")
            raise FakeError("ParityFakeUnimplemented", f"the parity fake has no {service}.{operation}", 501)
        return handler(params)

    # ---- sts, iam ----------------------------------------------------------------------

    def sts__get_caller_identity(self, params: dict[str, Any]) -> dict[str, Any]:
        arn = USER_ARN if self.identity == "user" else ASSUMED_ROLE_ARN
        return {"UserId": "AIDPARITY", "Account": ACCOUNT, "Arn": arn}

    def iam__get_role(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["RoleName"]
        if name not in self.roles:
            raise FakeError("NoSuchEntity", f"The role with name {name} cannot be found.", 404)
        return {
            "Role": {
                "Path": "/",
                "RoleName": name,
                "RoleId": "AROAPARITY",
                "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
                "CreateDate": NOW,
            }
        }

    # ---- s3 --------------------------------------------------------------------------

    def _bucket(self, name: str) -> dict[str, bytes]:
        # Every bucket a scenario names exists, as it would in the user's account.
        return self.buckets.setdefault(name, {})

    def s3__list_buckets(self, params: dict[str, Any]) -> dict[str, Any]:
        buckets = [{"Name": name, "CreationDate": NOW} for name in sorted(self.buckets)]
        return {"Buckets": buckets, "Owner": {"ID": "parity-owner"}}

    def s3__head_bucket(self, params: dict[str, Any]) -> dict[str, Any]:
        self._bucket(params["Bucket"])
        return {}

    def s3__create_bucket(self, params: dict[str, Any]) -> dict[str, Any]:
        self._bucket(params["Bucket"])
        return {"Location": "/" + params["Bucket"]}

    def s3__get_bucket_location(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"LocationConstraint": None}

    def s3__put_object(self, params: dict[str, Any]) -> dict[str, Any]:
        data = read_body(params.get("Body"))
        self._bucket(params["Bucket"])[params["Key"]] = data
        return {"ETag": etag(data)}

    def _get(self, params: dict[str, Any]) -> bytes:
        data = self._bucket(params["Bucket"]).get(params["Key"])
        if data is None:
            raise FakeError("NoSuchKey", "The specified key does not exist.", 404)
        return data

    def s3__get_object(self, params: dict[str, Any]) -> dict[str, Any]:
        data = self._get(params)
        return {
            "Body": streaming_body(data),
            "ContentLength": len(data),
            "ETag": etag(data),
            "LastModified": NOW,
        }

    def s3__head_object(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            data = self._get(params)
        except FakeError:
            raise FakeError("404", "Not Found", 404) from None
        return {"ContentLength": len(data), "ETag": etag(data), "LastModified": NOW}

    def _listing(self, params: dict[str, Any]) -> dict[str, Any]:
        prefix = params.get("Prefix", "")
        keys = sorted(key for key in self._bucket(params["Bucket"]) if key.startswith(prefix))
        contents = [
            {"Key": key, "Size": len(self.buckets[params["Bucket"]][key]), "LastModified": NOW, "ETag": '"x"'}
            for key in keys
        ]
        return {"Contents": contents, "IsTruncated": False, "Name": params["Bucket"], "Prefix": prefix}

    def s3__list_objects_v2(self, params: dict[str, Any]) -> dict[str, Any]:
        listing = self._listing(params)
        return {**listing, "KeyCount": len(listing["Contents"])}

    def s3__list_objects(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._listing(params)

    def s3__delete_object(self, params: dict[str, Any]) -> dict[str, Any]:
        self._bucket(params["Bucket"]).pop(params["Key"], None)
        return {}

    def s3__delete_objects(self, params: dict[str, Any]) -> dict[str, Any]:
        keys = [item["Key"] for item in params["Delete"]["Objects"]]
        for key in keys:
            self._bucket(params["Bucket"]).pop(key, None)
        return {"Deleted": [{"Key": key} for key in keys]}

    def s3__copy_object(self, params: dict[str, Any]) -> dict[str, Any]:
        source = params["CopySource"]
        if isinstance(source, str):
            bucket, _, key = source.lstrip("/").partition("/")
        else:
            bucket, key = source["Bucket"], source["Key"]
        data = self._get({"Bucket": bucket, "Key": key})
        self._bucket(params["Bucket"])[params["Key"]] = data
        return {"CopyObjectResult": {"ETag": etag(data), "LastModified": NOW}}

    def s3__create_multipart_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        upload_id = uuid.uuid4().hex
        self.uploads[upload_id] = {}
        return {"Bucket": params["Bucket"], "Key": params["Key"], "UploadId": upload_id}

    def s3__upload_part(self, params: dict[str, Any]) -> dict[str, Any]:
        data = read_body(params.get("Body"))
        self.uploads[params["UploadId"]][params["PartNumber"]] = data
        return {"ETag": etag(data)}

    def s3__complete_multipart_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        parts = self.uploads.pop(params["UploadId"])
        data = b"".join(parts[number] for number in sorted(parts))
        self._bucket(params["Bucket"])[params["Key"]] = data
        return {"Bucket": params["Bucket"], "Key": params["Key"], "ETag": etag(data)}

    def s3__abort_multipart_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        self.uploads.pop(params["UploadId"], None)
        return {}

    # ---- application-autoscaling -------------------------------------------------------

    def application_autoscaling__register_scalable_target(self, params: dict[str, Any]) -> dict[str, Any]:
        self.scaling_targets[params["ResourceId"]] = params
        return {"ScalableTargetARN": f"arn:aws:application-autoscaling:{REGION}:{ACCOUNT}:target/parity"}

    def application_autoscaling__put_scaling_policy(self, params: dict[str, Any]) -> dict[str, Any]:
        self.scaling_policies[params["PolicyName"]] = params
        arn = f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:scalingPolicy:parity:policyName/{params['PolicyName']}"
        return {"PolicyARN": arn, "Alarms": []}

    def application_autoscaling__describe_scalable_targets(self, params: dict[str, Any]) -> dict[str, Any]:
        wanted = set(params.get("ResourceIds") or self.scaling_targets)
        targets = [
            {**target, "RoleARN": ROLE_ARN, "CreationTime": NOW}
            for resource, target in self.scaling_targets.items()
            if resource in wanted
        ]
        return {"ScalableTargets": targets}

    def application_autoscaling__describe_scaling_policies(self, params: dict[str, Any]) -> dict[str, Any]:
        policies = [
            {**policy, "PolicyARN": f"arn:parity:{name}", "CreationTime": NOW}
            for name, policy in self.scaling_policies.items()
            if policy["ResourceId"] == params.get("ResourceId", policy["ResourceId"])
        ]
        return {"ScalingPolicies": policies}

    def application_autoscaling__deregister_scalable_target(self, params: dict[str, Any]) -> dict[str, Any]:
        self.scaling_targets.pop(params["ResourceId"], None)
        return {}

    def application_autoscaling__delete_scaling_policy(self, params: dict[str, Any]) -> dict[str, Any]:
        self.scaling_policies.pop(params["PolicyName"], None)
        return {}

    # ---- logs, cloudwatch --------------------------------------------------------------

    def logs__describe_log_streams(self, params: dict[str, Any]) -> dict[str, Any]:
        prefix = params.get("logStreamNamePrefix", "")
        return {"logStreams": [{"logStreamName": f"{prefix}/algo-1-1700000000", "creationTime": 0}]}

    def logs__get_log_events(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("nextToken"):
            return {"events": [], "nextForwardToken": params["nextToken"], "nextBackwardToken": "b"}
        events = [{"timestamp": 1700000000000 + i, "message": line} for i, line in enumerate(self.log_lines)]
        return {"events": events, "nextForwardToken": "f/end", "nextBackwardToken": "b"}

    def logs__filter_log_events(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"events": [], "searchedLogStreams": []}

    def cloudwatch__get_metric_statistics(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"Label": params["MetricName"], "Datapoints": list(self.metric_points)}

    def cloudwatch__list_metrics(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"Metrics": []}

    def cloudwatch__get_metric_data(self, params: dict[str, Any]) -> dict[str, Any]:
        results = [
            {
                "Id": query["Id"],
                "Label": query.get("Label", query["Id"]),
                "Timestamps": [point["Timestamp"] for point in self.metric_points],
                "Values": [point["Average"] for point in self.metric_points],
                "StatusCode": "Complete",
            }
            for query in params["MetricDataQueries"]
        ]
        return {"MetricDataResults": results, "Messages": []}


def split_s3(uri: str) -> tuple[str, str]:
    bucket, _, key = uri[len("s3://") :].partition("/")
    return bucket, key


def install(aws_holder: Any) -> None:
    """Attach every botocore client made from now on to ``aws_holder.current`` (a FakeAWS)."""
    import botocore.session

    original = botocore.session.Session.create_client

    def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = original(self, *args, **kwargs)
        client.meta.events.register_first("provide-client-params", FakeAWS.capture)
        service = client.meta.service_model.service_name
        client.meta.events.register_last(
            "before-call",
            lambda model, context, **_: aws_holder.current.answer(service, model, context),
        )
        return client

    botocore.session.Session.create_client = create_client
