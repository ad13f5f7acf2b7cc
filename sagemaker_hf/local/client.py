"""``LocalSageMakerClient``: boto3's ``sagemaker`` client, served by this machine.

Each method takes the same keyword arguments as boto3's (``**request`` is the API
request itself, checked against botocore's service model before anything happens, as
boto3 checks it) and returns boto3's response shape. Errors are ``ClientError`` with
SageMaker's codes and messages (``ValidationException`` "Could not find endpoint ...").

Models and endpoint configs are records; an endpoint is a toolkit child process (see
:mod:`~sagemaker_hf.local.endpoints`) whose status :mod:`~sagemaker_hf.local.lifecycle`
computes on every ``describe_endpoint``. Transform and training jobs are added as their
own modules behind the thin methods at the end; any other SageMaker operation raises a
``NotImplemented`` ``ClientError`` that says so.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from sagemaker_hf import storage
from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.local import botocore_model, endpoints, lifecycle, listing
from sagemaker_hf.local.batch import jobs as transform_jobs
from sagemaker_hf.local.botocore_model import SAGEMAKER, validation_error
from sagemaker_hf.local.mode import is_local_instance_type
from sagemaker_hf.local.registry import (
    EndpointConfigRecord,
    EndpointRecord,
    ModelRecord,
    Registry,
    UnreadableRecordError,
)
from sagemaker_hf.local.settings import LocalModeSettings
from sagemaker_hf.local.training import jobs as training_jobs

logger = logging.getLogger(__name__)

_ARN_RESOURCE = {ModelRecord: "model", EndpointConfigRecord: "endpoint-config", EndpointRecord: "endpoint"}
_LABEL = {ModelRecord: "model", EndpointConfigRecord: "endpoint configuration", EndpointRecord: "endpoint"}
_DELETE_HINT = {
    ModelRecord: "DeleteModel removes it.",
    EndpointConfigRecord: "DeleteEndpointConfig removes it.",
    EndpointRecord: "DeleteEndpoint (or `sagemaker-hf local rm {name}`) removes it and stops its processes.",
}
_LOCAL_HELP = "Local mode runs endpoints on this machine: use instance_type='local' (or 'local_gpu')."


class LocalSageMakerClient:
    """A boto3 ``sagemaker`` client whose endpoints are processes on this machine."""

    def __init__(self, settings: LocalModeSettings, storage_session: Any) -> None:
        """``storage_session`` reads ``s3://`` model data (anything with an ``s3_client``)."""
        self.settings = settings
        self.storage_session = storage_session
        self.registry = Registry(settings.registry_dir)
        self.exceptions = botocore_model.exceptions(SAGEMAKER)

    def __repr__(self) -> str:
        return f"LocalSageMakerClient(home={str(self.settings.home)!r})"

    # ---- shared ----------------------------------------------------------------------

    def _arn(self, kind: type, name: str) -> str:
        return botocore_model.arn(self.settings.region, self.settings.account_id, _ARN_RESOURCE[kind], name)

    def _existing(self, operation: str, kind: type, name: str) -> Any:
        try:
            record = self.registry.load(kind, name)
        except UnreadableRecordError as error:
            raise unreadable_error(operation, error, _DELETE_HINT[kind].format(name=name)) from None
        if record is None:
            raise validation_error(operation, f'Could not find {_LABEL[kind]} "{self._arn(kind, name)}".')
        return record

    def _refuse_existing(self, operation: str, kind: type, name: str) -> None:
        """SageMaker's names are case-insensitive: "ep1" exists once "Ep1" does."""
        if self.registry.same_name(kind, name) is not None:
            raise validation_error(
                operation, f'Cannot create already existing {_LABEL[kind]} "{self._arn(kind, name)}".'
            )

    def _create(self, operation: str, kind: type, name: str, record: Any) -> dict[str, Any]:
        with self.registry.lock():
            self._refuse_existing(operation, kind, name)
            self.registry.save(record)
        return {
            f"{kind.__name__.removesuffix('Record')}Arn": record.arn,
            "ResponseMetadata": botocore_model.response_metadata(),
        }

    def _delete(self, operation: str, kind: type, name: str) -> dict[str, Any]:
        """Delete a record that names no process (an unreadable one too)."""
        with self.registry.lock():
            if not self.registry.remove(kind, name):
                raise validation_error(operation, f'Could not find {_LABEL[kind]} "{self._arn(kind, name)}".')
        return {"ResponseMetadata": botocore_model.response_metadata()}

    # ---- models ----------------------------------------------------------------------

    def create_model(self, **request: Any) -> dict[str, Any]:
        botocore_model.validate(SAGEMAKER, "CreateModel", request)
        container = request.get("PrimaryContainer")
        if container is None:
            raise validation_error(
                "CreateModel",
                "Local mode serves one PrimaryContainer whose model comes from ModelDataUrl, "
                "ModelDataSource (or HF_MODEL_ID); Containers are not supported locally.",
            )
        url, compressed = endpoints.model_data_location(container)
        try:
            found = (
                url is None
                or storage.exists(self.storage_session, url)
                or _is_local_dir(url)
                or (not compressed and bool(storage.list_uris(self.storage_session, url)))
            )
        except ConfigurationError as error:  # a scheme local mode cannot read, e.g. https://
            raise validation_error("CreateModel", str(error)) from None
        if not found:
            raise validation_error("CreateModel", f"Could not find model data at {url}.")
        name = request["ModelName"]
        record = ModelRecord(
            name=name, arn=self._arn(ModelRecord, name), created=botocore_model.now(), request=request
        )
        return self._create("CreateModel", ModelRecord, name, record)

    def describe_model(self, **request: Any) -> dict[str, Any]:
        botocore_model.validate(SAGEMAKER, "DescribeModel", request)
        record = self._existing("DescribeModel", ModelRecord, request["ModelName"])
        described = {key: value for key, value in record.request.items() if key != "Tags"}
        described.setdefault("EnableNetworkIsolation", False)
        return {**described, "ModelArn": record.arn, "CreationTime": record.created, **_metadata()}

    def delete_model(self, **request: Any) -> dict[str, Any]:
        botocore_model.validate(SAGEMAKER, "DeleteModel", request)
        return self._delete("DeleteModel", ModelRecord, request["ModelName"])

    # ---- endpoint configs ------------------------------------------------------------

    def create_endpoint_config(self, **request: Any) -> dict[str, Any]:
        operation = "CreateEndpointConfig"
        botocore_model.validate(SAGEMAKER, operation, request)
        variants = request["ProductionVariants"]
        if len(variants) != 1 or request.get("ShadowProductionVariants"):
            raise validation_error(
                operation, "Local mode serves exactly one production variant per endpoint."
            )
        variant = variants[0]
        if not is_local_instance_type(variant.get("InstanceType")):
            shown = variant.get("InstanceType") or "serverless"
            raise validation_error(operation, f"InstanceType {shown!r} cannot run locally. {_LOCAL_HELP}")
        if variant.get("InitialInstanceCount", 1) > 1:
            logger.warning("Local mode runs one process per endpoint; InitialInstanceCount is ignored.")
        self._existing(operation, ModelRecord, variant["ModelName"])
        name = request["EndpointConfigName"]
        record = EndpointConfigRecord(
            name=name,
            arn=self._arn(EndpointConfigRecord, name),
            created=botocore_model.now(),
            request=request,
        )
        return self._create(operation, EndpointConfigRecord, name, record)

    def describe_endpoint_config(self, **request: Any) -> dict[str, Any]:
        botocore_model.validate(SAGEMAKER, "DescribeEndpointConfig", request)
        record = self._existing("DescribeEndpointConfig", EndpointConfigRecord, request["EndpointConfigName"])
        described = {key: value for key, value in record.request.items() if key != "Tags"}
        return {**described, "EndpointConfigArn": record.arn, "CreationTime": record.created, **_metadata()}

    def delete_endpoint_config(self, **request: Any) -> dict[str, Any]:
        botocore_model.validate(SAGEMAKER, "DeleteEndpointConfig", request)
        return self._delete("DeleteEndpointConfig", EndpointConfigRecord, request["EndpointConfigName"])

    # ---- endpoints -------------------------------------------------------------------

    def _start(self, operation: str, endpoint_name: str, config_name: str) -> tuple[Any, str | None]:
        config = self._existing(operation, EndpointConfigRecord, config_name)
        model = self._existing(operation, ModelRecord, config.request["ProductionVariants"][0]["ModelName"])
        work_dir = endpoints.new_work_dir(self.settings, endpoint_name, config_name)
        try:
            return endpoints.start(
                self.settings, model.request, config.request, work_dir, self.storage_session
            )
        except BaseException:
            endpoints.remove_work_dir(work_dir, self.settings)
            raise

    def create_endpoint(self, **request: Any) -> dict[str, Any]:
        operation = "CreateEndpoint"
        botocore_model.validate(SAGEMAKER, operation, request)
        name = request["EndpointName"]
        self._refuse_existing(operation, EndpointRecord, name)
        deployment, failure = self._start(operation, name, request["EndpointConfigName"])
        try:  # the process started above must not outlive any failure below (e.g. a lost race for the name)
            created = botocore_model.now()
            record = EndpointRecord(
                name=name,
                arn=self._arn(EndpointRecord, name),
                created=created,
                modified=created,
                tags=request.get("Tags", []),
                current=deployment,
                failure=failure,
            )
            return self._create(operation, EndpointRecord, name, record)
        except BaseException:
            endpoints.stop(deployment, self.settings, remove_files=True)
            raise

    def describe_endpoint(self, **request: Any) -> dict[str, Any]:
        botocore_model.validate(SAGEMAKER, "DescribeEndpoint", request)
        record = self._existing("DescribeEndpoint", EndpointRecord, request["EndpointName"])
        return lifecycle.describe_response(lifecycle.observe(self.registry, self.settings, record))

    def update_endpoint(self, **request: Any) -> dict[str, Any]:
        operation = "UpdateEndpoint"
        botocore_model.validate(SAGEMAKER, operation, request)
        name = request["EndpointName"]
        record = self._existing(operation, EndpointRecord, name)
        if record.pending is not None:
            raise validation_error(operation, f'Cannot update in-progress endpoint "{record.arn}".')
        deployment, failure = self._start(operation, name, request["EndpointConfigName"])
        try:  # the endpoint may be deleted or updated meanwhile: then the new process is stopped
            with self.registry.lock():
                fresh = self._existing(operation, EndpointRecord, name)
                if fresh.pending is not None:
                    raise validation_error(operation, f'Cannot update in-progress endpoint "{record.arn}".')
                if failure is None:
                    fresh.pending = deployment
                else:  # SageMaker keeps the endpoint in service on its current config
                    fresh.update_failure = (
                        f"updating to endpoint config {deployment.config_name} failed: {failure}"
                    )
                fresh.modified = botocore_model.now()
                self.registry.save(fresh)
        except BaseException:
            endpoints.stop(deployment, self.settings, remove_files=True)
            raise
        if failure is not None:
            endpoints.stop(deployment, self.settings, remove_files=True)
        return {"EndpointArn": record.arn, "ResponseMetadata": botocore_model.response_metadata()}

    def delete_endpoint(self, **request: Any) -> dict[str, Any]:
        """Stop the endpoint's processes (SIGTERM, then SIGKILL) and delete its working directory;
        an unreadable record is deleted too, its processes found through its pid file and markers."""
        operation = "DeleteEndpoint"
        botocore_model.validate(SAGEMAKER, operation, request)
        name = request["EndpointName"]
        leftovers = None
        with self.registry.lock():
            try:
                record = self.registry.load(EndpointRecord, name)
            except UnreadableRecordError as error:
                logger.warning("deleting endpoint %s, whose record is unreadable: %s", name, error)
                listed = self.registry.child_processes(EndpointRecord, name)
                leftovers = endpoints.leftovers(self.settings, name, listed)
                record = None
            else:
                if record is None:
                    raise validation_error(
                        operation, f'Could not find endpoint "{self._arn(EndpointRecord, name)}".'
                    )
            self.registry.remove(EndpointRecord, name)
        if record is not None:
            for deployment in filter(None, (record.pending, record.current)):
                endpoints.stop(deployment, self.settings, remove_files=True)
        if leftovers is not None:
            endpoints.stop_leftovers(leftovers, self.settings)
        return {"ResponseMetadata": botocore_model.response_metadata()}

    # ---- List* calls: one implementation (listing.py) over each resource's summaries -------

    def list_endpoints(self, **request: Any) -> dict[str, Any]:
        botocore_model.validate(SAGEMAKER, listing.ENDPOINTS.operation, request)
        summaries = [
            listing.endpoint_summary(lifecycle.observe(self.registry, self.settings, record))
            for record in self.registry.all(EndpointRecord)
        ]
        return listing.list_response(listing.ENDPOINTS, summaries, request)

    def list_models(self, **request: Any) -> dict[str, Any]:
        botocore_model.validate(SAGEMAKER, listing.MODELS.operation, request)
        summaries = [
            {"ModelName": record.name, "ModelArn": record.arn, "CreationTime": record.created}
            for record in self.registry.all(ModelRecord)
        ]
        return listing.list_response(listing.MODELS, summaries, request)

    def list_endpoint_configs(self, **request: Any) -> dict[str, Any]:
        botocore_model.validate(SAGEMAKER, listing.ENDPOINT_CONFIGS.operation, request)
        summaries = [
            {
                "EndpointConfigName": record.name,
                "EndpointConfigArn": record.arn,
                "CreationTime": record.created,
            }
            for record in self.registry.all(EndpointConfigRecord)
        ]
        return listing.list_response(listing.ENDPOINT_CONFIGS, summaries, request)

    # ---- jobs: each kind lives in its own module -------------------------------------

    def create_transform_job(self, **request: Any) -> dict[str, Any]:
        with _readable("CreateTransformJob"):
            return transform_jobs.create(self.settings, self.registry, self.storage_session, request)

    def describe_transform_job(self, **request: Any) -> dict[str, Any]:
        with _readable("DescribeTransformJob"):
            return transform_jobs.describe(self.settings, self.registry, request)

    def stop_transform_job(self, **request: Any) -> dict[str, Any]:
        with _readable("StopTransformJob"):
            return transform_jobs.stop(self.settings, self.registry, request)

    def list_transform_jobs(self, **request: Any) -> dict[str, Any]:
        return transform_jobs.list_jobs(self.settings, self.registry, request)

    def create_training_job(self, **request: Any) -> dict[str, Any]:
        with _readable("CreateTrainingJob"):
            return training_jobs.create(self.settings, self.registry, self.storage_session, request)

    def describe_training_job(self, **request: Any) -> dict[str, Any]:
        with _readable("DescribeTrainingJob"):
            return training_jobs.describe(self.settings, self.registry, self.storage_session, request)

    def stop_training_job(self, **request: Any) -> dict[str, Any]:
        with _readable("StopTrainingJob"):
            return training_jobs.stop(self.settings, self.registry, self.storage_session, request)

    def list_training_jobs(self, **request: Any) -> dict[str, Any]:
        return training_jobs.list_jobs(self.settings, self.registry, self.storage_session, request)

    def __getattr__(self, method: str) -> Any:
        """Every other boto3 method of ``sagemaker`` exists, and says it is not local."""
        from botocore import xform_name

        operations = {
            xform_name(name): name for name in botocore_model.service_model(SAGEMAKER).operation_names
        }
        if method not in operations:
            raise AttributeError(f"'LocalSageMakerClient' object has no attribute {method!r}")

        def unsupported(**request: Any) -> Any:
            raise _unavailable(operations[method])

        return unsupported


def unreadable_error(operation: str, error: UnreadableRecordError, remedy: str) -> Exception:
    """The ``InternalFailure`` for a record local mode cannot read (no input of the caller's is wrong)."""
    return botocore_model.client_error(SAGEMAKER, operation, "InternalFailure", f"{error}. {remedy}")


@contextlib.contextmanager
def _readable(operation: str) -> Iterator[None]:
    """A job's unreadable record, as the ``ClientError`` any caller of a boto3 client catches."""
    try:
        yield
    except UnreadableRecordError as error:
        raise botocore_model.client_error(
            SAGEMAKER, operation, "InternalFailure", f"{error}. Delete {error.path} to forget the job."
        ) from None


def _metadata() -> dict[str, Any]:
    return {"ResponseMetadata": botocore_model.response_metadata()}


def _is_local_dir(url: str) -> bool:
    return not storage.is_s3(url) and storage.local_path(url).is_dir()


def _unavailable(operation: str) -> Exception:
    message = (
        f"{operation} is not available in local mode; call it on SageMaker with a regular "
        "sagemaker_hf.Session()."
    )
    return botocore_model.client_error(SAGEMAKER, operation, "NotImplemented", message)
