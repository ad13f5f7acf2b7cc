"""Batch transform: SDK v2's ``Transformer`` on boto3.

``transform()`` sends one CreateTransformJob with exactly the fields the caller set;
``wait()`` polls DescribeTransformJob with progress and raises the job's FailureReason.
SageMaker writes one ``<input name>.out`` object per input object under the output path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sagemaker_hf import storage
from sagemaker_hf._validation import checked_arguments
from sagemaker_hf._validation.api_shapes import check_structure
from sagemaker_hf.batch.wait import wait_for_transform_job
from sagemaker_hf.dataprocessing import check_data_processing
from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.names import base_from_name, name_from_base, normalize_tags
from sagemaker_hf.progress import SYSTEM_CLOCK, Clock

# argument -> values the API accepts
ALLOWED_VALUES: dict[str, tuple[str, ...]] = {
    "strategy": ("MultiRecord", "SingleRecord"),
    "assemble_with": ("None", "Line"),
    "data_type": ("S3Prefix", "ManifestFile", "AugmentedManifestFile"),
    "split_type": ("None", "Line", "RecordIO", "TFRecord"),
    "compression_type": ("None", "Gzip"),
}


def _check_choice(argument: str, value: str | None) -> None:
    allowed = ALLOWED_VALUES[argument]
    if value is not None and value not in allowed:
        raise ConfigurationError(f"{argument}={value!r} is not supported; use one of {', '.join(allowed)}.")


def check_settings(instance_count: int, strategy: str | None, assemble_with: str | None) -> None:
    """The job settings a Transformer is built with; checked before any model is created."""
    _check_choice("strategy", strategy)
    _check_choice("assemble_with", assemble_with)
    if not isinstance(instance_count, int) or instance_count < 1:
        raise ConfigurationError(f"instance_count={instance_count!r} must be a whole number >= 1.")


def job_configs(
    experiment_config: dict[str, str] | None,
    model_client_config: dict[str, int] | None,
    batch_data_capture_config: dict[str, Any] | None,
) -> dict[str, Any]:
    """The optional job-level API structures transform() was given, checked against the API model."""
    given = {
        "ExperimentConfig": ("experiment_config", experiment_config),
        "ModelClientConfig": ("model_client_config", model_client_config),
        "DataCaptureConfig": ("batch_data_capture_config", batch_data_capture_config),
    }
    shapes = {"ExperimentConfig": "ExperimentConfig", "ModelClientConfig": "ModelClientConfig"}
    return {
        field: check_structure(argument, value, shapes.get(field, "BatchDataCaptureConfig"))
        for field, (argument, value) in given.items()
        if value
    }


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


class TransformJob(str):
    """The latest job's name, and also SDK v2's ``_TransformJob`` handle.

    v2's ``transformer.latest_transform_job`` was an object (``.job_name``, ``.wait()``,
    ``.describe()``, ``.stop()``) that notebooks use; here it is the name itself with those
    members, so code that passes it on as a string keeps working too.
    """

    transformer: Transformer

    def __new__(cls, job_name: str, transformer: Transformer) -> TransformJob:
        job = super().__new__(cls, job_name)
        job.transformer = transformer
        return job

    def __reduce__(self) -> tuple[Any, ...]:
        return (str, (str(self),))  # copies and pickles are the plain name

    @property
    def job_name(self) -> str:
        return str(self)

    @property
    def name(self) -> str:
        return str(self)

    def describe(self) -> dict[str, Any]:
        client = self.transformer.sagemaker_session.sagemaker_client
        return client.describe_transform_job(TransformJobName=str(self))

    def wait(self, logs: bool = True) -> dict[str, Any]:
        del logs
        return wait_for_transform_job(self.describe, str(self))

    def stop(self) -> None:
        client = self.transformer.sagemaker_session.sagemaker_client
        client.stop_transform_job(TransformJobName=str(self))


class Transformer:
    """Runs batch transform jobs on a SageMaker model (SDK v2's ``sagemaker.transformer.Transformer``).

    After ``transform()``, ``latest_transform_job`` names the job (a :class:`TransformJob`)
    and, when no ``output_path`` was given, ``output_path`` holds the default location the
    job wrote to (``s3://<default bucket>/<job name>``), as in v2.
    """

    @checked_arguments("Transformer")
    def __init__(
        self,
        model_name: str,
        instance_count: int,
        instance_type: str,
        strategy: str | None = None,
        assemble_with: str | None = None,
        output_path: str | None = None,
        output_kms_key: str | None = None,
        accept: str | None = None,
        max_concurrent_transforms: int | None = None,
        max_payload: int | None = None,
        tags: dict[str, str] | list[dict[str, str]] | None = None,
        env: dict[str, str] | None = None,
        base_transform_job_name: str | None = None,
        sagemaker_session: Any = None,
        volume_kms_key: str | None = None,
    ) -> None:
        check_settings(instance_count, strategy, assemble_with)
        self.model_name = model_name
        self.instance_count = instance_count
        self.instance_type = instance_type
        self.strategy = strategy
        self.assemble_with = assemble_with
        self.output_path = output_path
        self._output_path_is_default = False
        self.output_kms_key = output_kms_key
        self.accept = accept
        self.max_concurrent_transforms = max_concurrent_transforms
        self.max_payload = max_payload
        self.tags = normalize_tags(tags)
        self.env = dict(env) if env else None
        self.base_transform_job_name = base_transform_job_name or base_from_name(model_name)
        self.volume_kms_key = volume_kms_key
        if sagemaker_session is None:
            from sagemaker_hf.session import session_for_instance_type

            sagemaker_session = session_for_instance_type(None, instance_type)
        self.sagemaker_session = sagemaker_session
        self.latest_transform_job: TransformJob | None = None
        self._current_job_name: str | None = None

    def __repr__(self) -> str:
        return (
            f"Transformer(model_name={self.model_name!r}, latest_transform_job={self.latest_transform_job!r})"
        )

    def transform_job_request(
        self,
        job_name: str,
        data: str,
        data_type: str = "S3Prefix",
        content_type: str | None = None,
        compression_type: str | None = None,
        split_type: str | None = None,
        input_filter: str | None = None,
        output_filter: str | None = None,
        join_source: str | None = None,
        output_path: str | None = None,
        job_configs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """CreateTransformJob arguments: required fields, plus each optional one only when set.

        ``job_configs`` holds the checked ``ExperimentConfig``, ``ModelClientConfig`` and
        ``DataCaptureConfig`` fields (see :func:`job_configs`).
        """
        transform_input = {
            "DataSource": {"S3DataSource": {"S3DataType": data_type, "S3Uri": data}},
            **_without_none(
                {"ContentType": content_type, "CompressionType": compression_type, "SplitType": split_type}
            ),
        }
        output_path = output_path or self.output_path or self.sagemaker_session.artifact_uri(job_name)
        transform_output = {
            "S3OutputPath": output_path,
            **_without_none(
                {"Accept": self.accept, "AssembleWith": self.assemble_with, "KmsKeyId": self.output_kms_key}
            ),
        }
        resources = {
            "InstanceCount": self.instance_count,
            "InstanceType": self.instance_type,
            **_without_none({"VolumeKmsKeyId": self.volume_kms_key}),
        }
        data_processing = _without_none(
            {"InputFilter": input_filter, "OutputFilter": output_filter, "JoinSource": join_source}
        )
        return {
            "TransformJobName": job_name,
            "ModelName": self.model_name,
            "TransformInput": transform_input,
            "TransformOutput": transform_output,
            "TransformResources": resources,
            **_without_none(
                {
                    "BatchStrategy": self.strategy,
                    "MaxConcurrentTransforms": self.max_concurrent_transforms,
                    "MaxPayloadInMB": self.max_payload,
                    "Environment": self.env,
                    "DataProcessing": data_processing or None,
                    "Tags": self.tags,
                    **(job_configs or {}),
                }
            ),
        }

    @checked_arguments("Transformer.transform")
    def transform(
        self,
        data: str | Path,
        data_type: str = "S3Prefix",
        content_type: str | None = None,
        compression_type: str | None = None,
        split_type: str | None = None,
        job_name: str | None = None,
        input_filter: str | None = None,
        output_filter: str | None = None,
        join_source: str | None = None,
        experiment_config: dict[str, str] | None = None,
        model_client_config: dict[str, int] | None = None,
        batch_data_capture_config: dict[str, Any] | None = None,
        wait: bool = True,
        logs: bool = True,
    ) -> None:
        """Start a transform job over ``data``; wait for it by default.

        ``data`` is an S3 prefix or manifest; in local mode also a local file or folder.
        ``input_filter`` / ``output_filter`` are JSONPath expressions of the subset batch
        transform supports (see :mod:`sagemaker_hf.dataprocessing`), checked before the job
        starts. ``experiment_config``, ``model_client_config`` and ``batch_data_capture_config``
        are the API's ``ExperimentConfig``, ``ModelClientConfig`` and ``DataCaptureConfig``
        as dicts (checked against the API model). ``logs`` is accepted for SDK v2
        compatibility; progress is shown while waiting, and the job's logs are in CloudWatch
        under ``/aws/sagemaker/TransformJobs``.
        """
        del logs
        _check_choice("data_type", data_type)
        _check_choice("split_type", split_type)
        _check_choice("compression_type", compression_type)
        check_data_processing(input_filter, output_filter, join_source)
        configs = job_configs(experiment_config, model_client_config, batch_data_capture_config)
        data = self._data_uri(data)
        name = job_name or name_from_base(self.base_transform_job_name)
        output_path = self.output_path
        if output_path is None or self._output_path_is_default:
            # As v2: the default location of this job, kept on the transformer for the user to read.
            output_path = self.sagemaker_session.artifact_uri(name)
        request = self.transform_job_request(
            name,
            data,
            data_type,
            content_type,
            compression_type,
            split_type,
            input_filter,
            output_filter,
            join_source,
            output_path,
            configs,
        )
        self.sagemaker_session.sagemaker_client.create_transform_job(**request)
        self._output_path_is_default = self._output_path_is_default or self.output_path is None
        self.output_path = output_path
        self._current_job_name = name
        self.latest_transform_job = TransformJob(name, self)
        if wait:
            self.wait()

    def _data_uri(self, data: str | Path) -> str:
        """``data`` as the job reads it: S3 as given; a local file or folder where the service can read it."""
        if storage.is_s3(data):
            return str(data)
        direct = self.sagemaker_session.direct_input_uri(str(data))
        if direct is None:
            raise ConfigurationError(
                f"data={str(data)!r} is not an S3 URI. Upload it first, e.g. "
                "sagemaker_hf.Session().upload_data('input.jsonl', key_prefix='batch/input'), or run the job "
                "locally with instance_type='local'."
            )
        if not storage.local_path(direct).exists():
            raise ConfigurationError(f"data={str(data)!r}: no such file or folder.")
        return direct

    def _job_name(self) -> str:
        if self.latest_transform_job is None:
            raise ConfigurationError(
                "No transform job yet: call transform() first (or Transformer.attach())."
            )
        return self.latest_transform_job

    def describe(self) -> dict[str, Any]:
        """DescribeTransformJob of the latest job."""
        return self.sagemaker_session.sagemaker_client.describe_transform_job(
            TransformJobName=self._job_name()
        )

    def wait(
        self, logs: bool = True, timeout: float | None = None, clock: Clock = SYSTEM_CLOCK
    ) -> dict[str, Any]:
        """Wait for the latest job to finish, with progress; return its description.

        Raises :class:`~sagemaker_hf.errors.ResourceFailedError` with the job's
        ``FailureReason`` if it fails.
        """
        del logs
        return wait_for_transform_job(self.describe, self._job_name(), timeout=timeout, clock=clock)

    def stop_transform_job(self, wait: bool = True) -> None:
        """Stop the latest job (and by default wait until it has stopped)."""
        self.sagemaker_session.sagemaker_client.stop_transform_job(TransformJobName=self._job_name())
        if wait:
            self.wait()

    @classmethod
    @checked_arguments("Transformer.attach")
    def attach(cls, transform_job_name: str, sagemaker_session: Any = None) -> Transformer:
        """A Transformer for an existing job, with its settings read back from SageMaker."""
        if sagemaker_session is None:
            from sagemaker_hf.session import Session

            sagemaker_session = Session()
        job = sagemaker_session.sagemaker_client.describe_transform_job(TransformJobName=transform_job_name)
        output, resources = job["TransformOutput"], job["TransformResources"]
        transformer = cls(
            job["ModelName"],
            resources["InstanceCount"],
            resources["InstanceType"],
            strategy=job.get("BatchStrategy"),
            assemble_with=output.get("AssembleWith"),
            output_path=output.get("S3OutputPath"),
            output_kms_key=output.get("KmsKeyId"),
            accept=output.get("Accept"),
            max_concurrent_transforms=job.get("MaxConcurrentTransforms"),
            max_payload=job.get("MaxPayloadInMB"),
            env=job.get("Environment"),
            base_transform_job_name=base_from_name(transform_job_name),
            sagemaker_session=sagemaker_session,
            volume_kms_key=resources.get("VolumeKmsKeyId"),
        )
        transformer.latest_transform_job = TransformJob(transform_job_name, transformer)
        transformer._current_job_name = transform_job_name
        return transformer
