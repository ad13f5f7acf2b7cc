"""The parity fake's SageMaker and SageMaker Runtime: resources in dicts, every wait over at once.

Endpoints are ``InService`` and jobs ``Completed`` as soon as they are created, so both
SDKs' waiters return after one look. Errors use the codes and messages SageMaker uses,
because both SDKs match on them (``Cannot create already existing model``, ``Could not
find endpoint``).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from tests.parity.fake_aws import ACCOUNT, NOW, REGION, FakeError, streaming_body

if TYPE_CHECKING:  # pragma: no cover
    from tests.parity.fake_aws import FakeAWS

ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"


def _missing(kind: str, name: str) -> FakeError:
    return FakeError("ValidationException", f'Could not find {kind} "{name}".')


class FakeSageMaker:
    def __init__(self, aws: FakeAWS) -> None:
        self.aws = aws
        self.models: dict[str, dict[str, Any]] = {}
        self.endpoint_configs: dict[str, dict[str, Any]] = {}
        self.endpoints: dict[str, dict[str, Any]] = {}
        self.training_jobs: dict[str, dict[str, Any]] = {}
        self.transform_jobs: dict[str, dict[str, Any]] = {}
        self.package_groups: dict[str, dict[str, Any]] = {}
        self.packages: dict[str, dict[str, Any]] = {}
        # Resource kinds ("endpoint", "training", "transform") whose resources end Failed, with this reason.
        self.failures: dict[str, str] = {}
        # What an async inference leaves: "result" (output object), "error" (failure object), "pending".
        self.async_outcome = "result"
        # What InvokeEndpoint answers (a scenario may change it).
        self.invoke_body = b'[{"label": "POSITIVE", "score": 0.99}]'
        self.invoke_content_type = "application/json"
        # What InvokeEndpointWithResponseStream answers: the payload parts, in order.
        self.stream_parts = [
            b'data: {"token": {"text": " Once"}}\n\n',
            b'data: {"token": {"text": " upon"}}\n\n',
        ]

    # ---- what scenarios set up ---------------------------------------------------------

    def seed_endpoint(self, name: str, async_output: str | None = None) -> None:
        """An endpoint that exists before the scenario (deployed earlier, by anyone)."""
        model = f"{name}-model"
        self.models[model] = {"ModelName": model, "PrimaryContainer": {"Image": "parity"}}
        variant = {"VariantName": "AllTraffic", "ModelName": model, "InitialInstanceCount": 1}
        config: dict[str, Any] = {"EndpointConfigName": name, "ProductionVariants": [variant]}
        if async_output:
            config["AsyncInferenceConfig"] = {"OutputConfig": {"S3OutputPath": async_output}}
        self.endpoint_configs[name] = config
        self.endpoints[name] = {"EndpointName": name, "EndpointConfigName": name}

    def seed_training_job(self, request: dict[str, Any]) -> None:
        """A training job that ran before the scenario (for attach)."""
        self.sagemaker__create_training_job(request)

    def _outcome(self, kind: str, status_field: str) -> dict[str, str]:
        if kind in self.failures:
            return {status_field: "Failed", "FailureReason": self.failures[kind]}
        return {status_field: "Completed"}

    # ---- models ------------------------------------------------------------------------

    def sagemaker__create_model(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["ModelName"]
        if name in self.models:
            raise FakeError(
                "ValidationException", f'Cannot create already existing model "{ARN}:model/{name}".'
            )
        self.models[name] = params
        return {"ModelArn": f"{ARN}:model/{name}"}

    def sagemaker__describe_model(self, params: dict[str, Any]) -> dict[str, Any]:
        model = self.models.get(params["ModelName"])
        if model is None:
            raise _missing("model", params["ModelName"])
        return {**model, "ModelArn": f"{ARN}:model/{model['ModelName']}", "CreationTime": NOW}

    def sagemaker__delete_model(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.models.pop(params["ModelName"], None) is None:
            raise _missing("model", params["ModelName"])
        return {}

    # ---- endpoints ---------------------------------------------------------------------

    def sagemaker__create_endpoint_config(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["EndpointConfigName"]
        if name in self.endpoint_configs:
            raise FakeError(
                "ValidationException",
                f'Cannot create already existing endpoint configuration "{ARN}:endpoint-config/{name}".',
            )
        for variant in params["ProductionVariants"]:
            memory = variant.get("ServerlessConfig", {}).get("MemorySizeInMB", 1024)
            if memory not in range(1024, 6145, 1024):
                raise FakeError(
                    "ValidationException",
                    f"Value '{memory}' at 'productionVariants.1.member.serverlessConfig.memorySizeInMB' "
                    "failed to satisfy constraint: Member must be one of [1024, 2048, ..., 6144]",
                )
        self.endpoint_configs[name] = params
        return {"EndpointConfigArn": f"{ARN}:endpoint-config/{name}"}

    def sagemaker__describe_endpoint_config(self, params: dict[str, Any]) -> dict[str, Any]:
        config = self.endpoint_configs.get(params["EndpointConfigName"])
        if config is None:
            raise _missing("endpoint configuration", params["EndpointConfigName"])
        arn = f"{ARN}:endpoint-config/{config['EndpointConfigName']}"
        return {**config, "EndpointConfigArn": arn, "CreationTime": NOW}

    def sagemaker__delete_endpoint_config(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.endpoint_configs.pop(params["EndpointConfigName"], None) is None:
            raise _missing("endpoint configuration", params["EndpointConfigName"])
        return {}

    def sagemaker__create_endpoint(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["EndpointName"]
        if name in self.endpoints:
            raise FakeError(
                "ValidationException", f'Cannot create already existing endpoint "{ARN}:endpoint/{name}".'
            )
        if params["EndpointConfigName"] not in self.endpoint_configs:
            raise _missing("endpoint configuration", params["EndpointConfigName"])
        self.endpoints[name] = params
        return {"EndpointArn": f"{ARN}:endpoint/{name}"}

    def sagemaker__update_endpoint(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["EndpointName"]
        if name not in self.endpoints:
            raise _missing("endpoint", name)
        self.endpoints[name] = {**self.endpoints[name], "EndpointConfigName": params["EndpointConfigName"]}
        return {"EndpointArn": f"{ARN}:endpoint/{name}"}

    def sagemaker__describe_endpoint(self, params: dict[str, Any]) -> dict[str, Any]:
        endpoint = self.endpoints.get(params["EndpointName"])
        if endpoint is None:
            raise _missing("endpoint", params["EndpointName"])
        config = self.endpoint_configs.get(endpoint["EndpointConfigName"], {})
        variants = [
            {
                "VariantName": variant["VariantName"],
                "CurrentWeight": 1.0,
                "DesiredWeight": 1.0,
                "CurrentInstanceCount": variant.get("InitialInstanceCount", 1),
                "DesiredInstanceCount": variant.get("InitialInstanceCount", 1),
            }
            for variant in config.get("ProductionVariants", [])
        ]
        described = {
            "EndpointName": endpoint["EndpointName"],
            "EndpointArn": f"{ARN}:endpoint/{endpoint['EndpointName']}",
            "EndpointConfigName": endpoint["EndpointConfigName"],
            "ProductionVariants": variants,
            "EndpointStatus": "Failed" if "endpoint" in self.failures else "InService",
            "CreationTime": NOW,
            "LastModifiedTime": NOW,
        }
        for field in ("DataCaptureConfig", "AsyncInferenceConfig"):
            if field in config:
                described[field] = config[field]
        if "endpoint" in self.failures:
            described["FailureReason"] = self.failures["endpoint"]
        return described

    def sagemaker__delete_endpoint(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.endpoints.pop(params["EndpointName"], None) is None:
            raise _missing("endpoint", params["EndpointName"])
        return {}

    def sagemaker__list_endpoints(self, params: dict[str, Any]) -> dict[str, Any]:
        names = sorted(self.endpoints)
        return {
            "Endpoints": [
                {
                    "EndpointName": name,
                    "EndpointArn": f"{ARN}:endpoint/{name}",
                    "CreationTime": NOW,
                    "LastModifiedTime": NOW,
                    "EndpointStatus": "InService",
                }
                for name in names
            ]
        }

    def sagemaker__add_tags(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"Tags": params["Tags"]}

    def sagemaker__list_tags(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"Tags": []}

    # ---- training ----------------------------------------------------------------------

    def sagemaker__create_training_job(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["TrainingJobName"]
        if name in self.training_jobs:
            raise FakeError("ResourceInUse", f"Training job {name} already exists")
        stopping = params["StoppingCondition"]
        if (
            stopping.get("MaxWaitTimeInSeconds", stopping["MaxRuntimeInSeconds"])
            < stopping["MaxRuntimeInSeconds"]
        ):
            raise FakeError(
                "ValidationException",
                "Invalid MaxWaitTimeInSeconds. It must be present and be greater than or equal to "
                "MaxRuntimeInSeconds",
            )
        self.training_jobs[name] = params
        return {"TrainingJobArn": f"{ARN}:training-job/{name}"}

    def sagemaker__describe_training_job(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["TrainingJobName"]
        job = self.training_jobs.get(name)
        if job is None:
            raise FakeError("ValidationException", "Requested resource not found.")
        output = job["OutputDataConfig"]["S3OutputPath"].rstrip("/")
        compressed = job["OutputDataConfig"].get("CompressionType", "GZIP") != "NONE"
        artifacts = f"{output}/{name}/output/model.tar.gz" if compressed else f"{output}/{name}/output/model/"
        # DescribeTrainingJob fills in what the request left out, as SageMaker does.
        described_output = {"KmsKeyId": "", "CompressionType": "GZIP", **job["OutputDataConfig"]}
        resources = {"VolumeSizeInGB": 30, **job["ResourceConfig"]}
        algorithm = {"EnableSageMakerMetricsTimeSeries": False, **job["AlgorithmSpecification"]}
        return {
            "EnableNetworkIsolation": False,
            "EnableInterContainerTrafficEncryption": False,
            "EnableManagedSpotTraining": False,
            "HyperParameters": {},
            **job,
            "OutputDataConfig": described_output,
            "ResourceConfig": resources,
            "AlgorithmSpecification": algorithm,
            "TrainingJobArn": f"{ARN}:training-job/{name}",
            "ModelArtifacts": {"S3ModelArtifacts": artifacts},
            **self._outcome("training", "TrainingJobStatus"),
            "SecondaryStatus": "Failed" if "training" in self.failures else "Completed",
            "SecondaryStatusTransitions": [
                {"Status": "Starting", "StartTime": NOW, "EndTime": NOW, "StatusMessage": "Starting"},
                {"Status": "Completed", "StartTime": NOW, "EndTime": NOW, "StatusMessage": "Completed"},
            ],
            "CreationTime": NOW,
            "TrainingStartTime": NOW,
            "TrainingEndTime": NOW,
            "LastModifiedTime": NOW,
            "TrainingTimeInSeconds": 60,
            "BillableTimeInSeconds": 60,
            "FinalMetricDataList": [{"MetricName": "loss", "Value": 0.5, "Timestamp": NOW}],
        }

    def sagemaker__stop_training_job(self, params: dict[str, Any]) -> dict[str, Any]:
        return {}

    # ---- batch transform ---------------------------------------------------------------

    def sagemaker__create_transform_job(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["TransformJobName"]
        if params["ModelName"] not in self.models:
            raise FakeError("ValidationException", f'Could not find model "{params["ModelName"]}".')
        self.transform_jobs[name] = params
        return {"TransformJobArn": f"{ARN}:transform-job/{name}"}

    def sagemaker__describe_transform_job(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["TransformJobName"]
        job = self.transform_jobs.get(name)
        if job is None:
            raise FakeError("ValidationException", f"Could not find requested job with name {name}")
        return {
            **job,
            "TransformJobArn": f"{ARN}:transform-job/{name}",
            **self._outcome("transform", "TransformJobStatus"),
            "CreationTime": NOW,
            "TransformStartTime": NOW,
            "TransformEndTime": NOW,
        }

    def sagemaker__stop_transform_job(self, params: dict[str, Any]) -> dict[str, Any]:
        return {}

    # ---- model registry ----------------------------------------------------------------

    def sagemaker__create_model_package_group(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["ModelPackageGroupName"]
        if name in self.package_groups:
            raise FakeError("ValidationException", f"Model Package Group already exists: {name}")
        self.package_groups[name] = params
        return {"ModelPackageGroupArn": f"{ARN}:model-package-group/{name}"}

    def sagemaker__describe_model_package_group(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["ModelPackageGroupName"]
        if name not in self.package_groups:
            raise FakeError("ValidationException", f"ModelPackageGroup {name} does not exist.")
        return {
            "ModelPackageGroupName": name,
            "ModelPackageGroupArn": f"{ARN}:model-package-group/{name}",
            "CreationTime": NOW,
            "CreatedBy": {},
            "ModelPackageGroupStatus": "Completed",
        }

    def sagemaker__list_model_package_groups(self, params: dict[str, Any]) -> dict[str, Any]:
        wanted = params.get("NameContains", "")
        summaries = [
            {
                "ModelPackageGroupName": name,
                "ModelPackageGroupArn": f"{ARN}:model-package-group/{name}",
                "CreationTime": NOW,
                "ModelPackageGroupStatus": "Completed",
            }
            for name in sorted(self.package_groups)
            if wanted in name
        ]
        return {"ModelPackageGroupSummaryList": summaries}

    def sagemaker__search(self, params: dict[str, Any]) -> dict[str, Any]:
        # SageMaker's Search over model package groups; SDK v2 falls back to a listing when it fails.
        if params["Resource"] != "ModelPackageGroup":
            raise FakeError(
                "ParityFakeUnimplemented", f"the parity fake searches no {params['Resource']}", 501
            )
        filters = params.get("SearchExpression", {}).get("Filters", [])
        names = [
            name
            for name in sorted(self.package_groups)
            if all(f["Name"] != "ModelPackageGroupName" or f["Value"] == name for f in filters)
        ]
        return {"Results": [{"ModelPackageGroup": {"ModelPackageGroupName": name}} for name in names]}

    def sagemaker__create_model_package(self, params: dict[str, Any]) -> dict[str, Any]:
        group = params.get("ModelPackageGroupName")
        if group is not None and group not in self.package_groups:
            raise FakeError("ValidationException", "Model Package Group does not exist.")
        name = params.get("ModelPackageName") or f"{group}/{len(self.packages) + 1}"
        self.packages[name] = params
        return {"ModelPackageArn": f"{ARN}:model-package/{name.lower()}"}

    def sagemaker__describe_model_package(self, params: dict[str, Any]) -> dict[str, Any]:
        wanted = params["ModelPackageName"]
        for name, package in self.packages.items():
            if wanted in (name, f"{ARN}:model-package/{name.lower()}"):
                return {
                    **package,
                    "ModelPackageName": name,
                    "ModelPackageArn": f"{ARN}:model-package/{name.lower()}",
                    "ModelPackageStatus": "Completed",
                    "CreationTime": NOW,
                }
        raise FakeError("ValidationException", f"ModelPackage {wanted} does not exist.")

    # ---- sagemaker-runtime -------------------------------------------------------------

    def _endpoint_or_error(self, name: str) -> dict[str, Any]:
        if name not in self.endpoints:
            raise FakeError("ValidationError", f"Endpoint {name} of account {ACCOUNT} not found.")
        return self.endpoints[name]

    def sagemaker_runtime__invoke_endpoint(self, params: dict[str, Any]) -> dict[str, Any]:
        self._endpoint_or_error(params["EndpointName"])
        return {
            "Body": streaming_body(self.invoke_body),
            "ContentType": self.invoke_content_type,
            "InvokedProductionVariant": params.get("TargetVariant", "AllTraffic"),
        }

    def sagemaker_runtime__invoke_endpoint_with_response_stream(
        self, params: dict[str, Any]
    ) -> dict[str, Any]:
        self._endpoint_or_error(params["EndpointName"])
        return {
            "Body": [{"PayloadPart": {"Bytes": part}} for part in self.stream_parts],
            "ContentType": "text/event-stream",
            "InvokedProductionVariant": params.get("TargetVariant", "AllTraffic"),
        }

    def sagemaker_runtime__invoke_endpoint_async(self, params: dict[str, Any]) -> dict[str, Any]:
        endpoint = self._endpoint_or_error(params["EndpointName"])
        config = self.endpoint_configs.get(endpoint["EndpointConfigName"], {})
        output = config.get("AsyncInferenceConfig", {}).get("OutputConfig", {})
        inference_id = params.get("InferenceId") or str(uuid.uuid4())
        location = f"{output.get('S3OutputPath', 's3://missing').rstrip('/')}/{inference_id}.out"
        response = {"InferenceId": inference_id, "OutputLocation": location}
        if output.get("S3FailurePath"):
            response["FailureLocation"] = f"{output['S3FailurePath'].rstrip('/')}/{inference_id}-error.out"
        # The "model" answers at once: the result (or the failure) is there before anyone looks.
        if self.async_outcome == "result":
            self.aws.put_object(location, self.invoke_body)
        elif self.async_outcome == "error":
            self.aws.put_object(response["FailureLocation"], b'{"code": 400, "message": "bad input"}')
        return response
