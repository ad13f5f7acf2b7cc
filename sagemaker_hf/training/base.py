"""What every estimator shares: the CreateTrainingJob request, fit(), the job and its results.

:class:`~sagemaker_hf.training.estimator.HuggingFace` and the generic
:class:`~sagemaker_hf.training.generic.Estimator` differ only in how they choose their
image and encode their hyperparameters (their constructors set the attributes listed
below); both send their job through :meth:`TrainingEstimator.training_job_request`, so
there is one request builder.

``fit()`` flows straight down: name the job, pack and upload the code (cloning
``git_config`` first), upload local inputs, send CreateTrainingJob, then wait with
progress and the job's log. After ``fit()`` the estimator holds what it used, as v2 did:
``base_job_name``, ``output_path``, ``_current_job_name``, ``latest_training_job``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sagemaker_hf import storage
from sagemaker_hf._validation import checked_arguments
from sagemaker_hf.container.training import (
    ISOLATED_SUBMIT_DIRECTORY,
    JOB_NAME,
    LOG_LEVEL,
    MODEL_ARCHIVE_NAME,
    PROGRAM,
    REGION,
    SOURCE_ARCHIVE_NAME,
    SUBMIT_DIRECTORY,
    encode_hyperparameters,
)
from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.names import base_from_name, base_name_from_image, name_from_base
from sagemaker_hf.training import after_training
from sagemaker_hf.training.after_training import TrainedModel
from sagemaker_hf.training.code import TrainingCode
from sagemaker_hf.training.inputs import TrainingInput, input_channels
from sagemaker_hf.training.logs import TrainingJob, wait_for_training_job
from sagemaker_hf.training.options import JobOptions
from sagemaker_hf.training.request import TrainingSettings, check_hyperparameter_limits

Inputs = str | Path | TrainingInput | Mapping[str, str | Path | TrainingInput] | None


class TrainingEstimator:
    """fit(), wait(), the latest job and its model; the subclasses' constructors set the state."""

    settings: TrainingSettings
    options: JobOptions
    code: TrainingCode | None
    git_config: dict[str, Any] | None
    entry_point: str | None
    source_dir: str | None
    dependencies: list[str]
    role: str | None
    instance_type: str | None
    instance_count: int | None
    output_path: str | None
    code_location: str | None
    base_job_name: str | None
    tags: list[dict[str, str]] | None
    enable_sagemaker_metrics: bool | None
    container_log_level: int
    sagemaker_session: Any
    latest_training_job: TrainingJob | None
    _current_job_name: str | None
    _submit_directory: str | None
    # The ``sagemaker_*`` code hyperparameters of the latest job (fit or attach): SDK v2's
    # hyperparameters() includes them once a job exists. Replaced, never mutated.
    _code_hyperparameters_used: dict[str, str] = {}  # noqa: RUF012

    # What follows training reads one frozen value, TrainedModel, built by _trained_model().
    create_model = after_training.create_model
    deploy = after_training.deploy
    transformer = after_training.transformer

    # ---- what the subclasses decide ---------------------------------------------------------

    def training_image_uri(self, session: Any = None) -> str:
        raise NotImplementedError

    def hyperparameters(self) -> dict[str, str]:
        """The hyperparameters as sent (with the ``sagemaker_*`` code ones once a job exists)."""
        raise NotImplementedError

    def _model_image_arguments(self, image_uri: str | None) -> dict[str, str | None]:
        """The HuggingFaceModel arguments that choose the inference image (versions or ``image_uri``)."""
        raise NotImplementedError

    @property
    def _image_instance_type(self) -> str | None:
        """The instance type that chooses the image: ``instance_type``, else the first group's."""
        groups = self.settings.instance_groups
        return self.instance_type or (groups[0]["InstanceType"] if groups else None)

    def _session(self, session: Any = None) -> Any:
        from sagemaker_hf.session import session_for_instance_type

        if session is None:
            self.sagemaker_session = session_for_instance_type(
                self.sagemaker_session, self._image_instance_type
            )
            session = self.sagemaker_session
        return session

    # ---- the request --------------------------------------------------------------------------

    def _default_output_path(self, session: Any) -> str:
        return session.artifact_uri().rstrip("/") + "/"  # v2's form: the bucket with a trailing slash

    def _code_uri(self, session: Any, job_name: str) -> str:
        if self.code_location:
            return storage.join_uri(self.code_location, job_name, "source", SOURCE_ARCHIVE_NAME)
        if self.output_path and storage.is_s3(self.output_path):
            # SDK v2 keeps the code in the output bucket, so no default bucket is needed.
            bucket = storage.parse_s3_uri(self.output_path).bucket
            return f"s3://{bucket}/{job_name}/source/{SOURCE_ARCHIVE_NAME}"
        return session.artifact_uri(job_name, "source", SOURCE_ARCHIVE_NAME)

    def _upload_code(self, session: Any, job_name: str) -> str:
        """``sagemaker_submit_directory``: the code packed and uploaded (cloned first for git_config)."""
        assert self.code is not None
        destination = self._code_uri(session, job_name)
        # SDK v2 encrypts the code with output_kms_key whenever it goes to the output's bucket.
        output_uri = self.output_path or session.artifact_uri()
        kms_key = self.settings.output_kms_key if storage.same_s3_bucket(destination, output_uri) else None
        if self.git_config is None:
            return self.code.upload(session, destination, kms_key)
        from sagemaker_hf._git import checkout

        with checkout(self.git_config, self.entry_point, self.source_dir, self.dependencies or None) as paths:
            code = TrainingCode(paths.entry_point, paths.source_dir, tuple(paths.dependencies or ()))
            code.check()
            return code.upload(session, destination, kms_key)

    def _code_hyperparameters(self, session: Any, job_name: str, submit_directory: str) -> dict[str, str]:
        assert self.code is not None
        return encode_hyperparameters(
            {
                PROGRAM: self.code.program,
                SUBMIT_DIRECTORY: submit_directory,
                LOG_LEVEL: self.container_log_level,
                JOB_NAME: job_name,
                REGION: session.boto_region_name,
            }
        )

    def training_job_request(
        self,
        session: Any,
        job_name: str,
        inputs: Inputs = None,
        image: str | None = None,
        experiment_config: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """CreateTrainingJob arguments; uploads the code and any local inputs on the way."""
        image = image or self.training_image_uri(session)
        role_arn = session.execution_role_arn(self.role, "training a model")
        output_path = self.output_path or self._default_output_path(session)
        channels = input_channels(session, inputs, job_name)
        hyperparameters = self.hyperparameters()
        if self.code is not None:
            submit_directory = self._upload_code(session, job_name)
            self._submit_directory = submit_directory
            if self.settings.enable_network_isolation:
                # An isolated container cannot reach S3, so its code comes in as a channel.
                channels.append({"ChannelName": "code", **TrainingInput(submit_directory).config})
                submit_directory = ISOLATED_SUBMIT_DIRECTORY
            self._code_hyperparameters_used = self._code_hyperparameters(session, job_name, submit_directory)
            hyperparameters.update(self._code_hyperparameters_used)
        check_hyperparameter_limits(hyperparameters)
        channels += self.options.extra_channels()
        request = self.settings.to_request(
            job_name,
            image,
            role_arn,
            output_path,
            hyperparameters,
            channels,
            self.tags,
            self.enable_sagemaker_metrics,
        )
        if experiment_config:
            request["ExperimentConfig"] = dict(experiment_config)
        return self.options.apply(request, output_path)

    # ---- fit and the job ------------------------------------------------------------------------

    @checked_arguments("fit")
    def fit(
        self,
        inputs: Inputs = None,
        wait: bool = True,
        logs: bool | str = True,
        job_name: str | None = None,
        experiment_config: Mapping[str, str] | None = None,
    ) -> None:
        """Start a training job on ``inputs`` and, by default, wait for it with its log.

        ``inputs``: an ``s3://``/``file://`` URI or local path (channel ``training``), a
        :class:`~sagemaker_hf.training.inputs.TrainingInput`, or a dict of channel → one of those.
        ``logs``: True/"All" streams the job's log while waiting; False/"None" does not.
        ``experiment_config`` is sent as the job's ``ExperimentConfig``. A failed job raises
        :class:`~sagemaker_hf.errors.ResourceFailedError` with its ``FailureReason``.
        """
        session = self._session()
        image = self.training_image_uri(session)
        if job_name is None:
            self.base_job_name = self.base_job_name or base_name_from_image(image)
            job_name = name_from_base(self.base_job_name)
        request = self.training_job_request(session, job_name, inputs, image, experiment_config)
        session.sagemaker_client.create_training_job(**request)
        # v2 kept what it used: notebooks print these.
        self._current_job_name = job_name
        self.output_path = request["OutputDataConfig"]["S3OutputPath"]
        self.latest_training_job = TrainingJob(job_name, session)
        if wait:
            self.wait(logs=logs)

    def _job(self) -> TrainingJob:
        if self.latest_training_job is None:
            raise ConfigurationError("No training job yet: call fit() (or attach(training_job_name)).")
        return self.latest_training_job

    def wait(self, logs: bool | str = True, timeout: float | None = None) -> dict[str, Any]:
        """Wait for the latest job with progress (and its log); return its description."""
        job, streaming = self._job(), logs not in (False, None, "None")
        return wait_for_training_job(job.sagemaker_session, job.name, streaming, timeout=timeout)

    def logs(self) -> None:
        """Stream the latest job's log until it ends (SDK v2's ``estimator.logs()``)."""
        self.wait(logs=True)

    def describe(self) -> dict[str, Any]:
        """DescribeTrainingJob of the latest job."""
        return self._job().describe()

    def stop_training_job(self) -> None:
        self._job().stop()

    @property
    def model_data(self) -> str | dict[str, Any]:
        """The trained model: ``model.tar.gz``'s URI, or v2's dict for uncompressed output.

        With ``disable_output_compression=True`` the model is a folder of files, and this is
        ``{"S3DataSource": {"S3Uri": <folder>/, "S3DataType": "S3Prefix", "CompressionType":
        "None"}}``, the form ``HuggingFaceModel(model_data=...)`` sends as ``ModelDataSource``.
        """
        job = self._job()
        description = job.describe()
        output = description.get("OutputDataConfig", {})
        uri = description.get("ModelArtifacts", {}).get("S3ModelArtifacts") or storage.join_uri(
            output.get("S3OutputPath") or self.output_path or "", job.name, "output", MODEL_ARCHIVE_NAME
        )
        if output.get("CompressionType", "GZIP") != "NONE":
            return uri
        folder = uri if uri.endswith("/") else uri + "/"  # SageMaker hosting wants the slash
        return {"S3DataSource": {"S3Uri": folder, "S3DataType": "S3Prefix", "CompressionType": "None"}}

    def _trained_model(self, image_uri: str | None = None) -> TrainedModel:
        """What create_model(), deploy() and transformer() read (see :mod:`after_training`)."""
        model_data = self.model_data  # DescribeTrainingJob, before the image is chosen (as in v2)
        return TrainedModel(
            model_data=model_data,
            image_arguments=self._model_image_arguments(image_uri),
            default_name=name_from_base(self.base_job_name or base_from_name(self._job().name)),
            role=self.role,
            code_dir=self._code_dir(),
            dependencies=tuple(self.dependencies),
            subnets=self.settings.subnets,
            security_group_ids=self.settings.security_group_ids,
            enable_network_isolation=self.settings.enable_network_isolation,
            output_kms_key=self.settings.output_kms_key,
            code_location=self.code_location,
            container_log_level=self.container_log_level,
            tags=self.tags,
            sagemaker_session=self.sagemaker_session,
        )

    def _code_dir(self) -> str | None:
        """The training code for an inference ``entry_point``: the local folder, else the archive."""
        if self.code is None:
            return None
        if self.source_dir and not self.code.packed and self.git_config is None:
            return self.source_dir
        uploaded = self._submit_directory
        return uploaded if uploaded is not None and storage.is_s3(uploaded) else None

    @property
    def training_job_analytics(self) -> Any:
        """The latest job's CloudWatch metrics, as SDK v2's ``TrainingJobAnalytics``."""
        from sagemaker_hf.training.analytics import TrainingJobAnalytics

        job = self._job()
        return TrainingJobAnalytics(job.name, sagemaker_session=job.sagemaker_session)
