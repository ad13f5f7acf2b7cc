"""HuggingFace: SDK v2's estimator on boto3: fit(), attach(), then deploy() or transformer().

``fit()`` flows straight down: check everything (in the constructor), resolve the training
image, pack and upload the code, upload local inputs, send CreateTrainingJob, then wait
with progress and the job's log. The same code trains on SageMaker and locally: the
session (``instance_type="local"`` gives a local one) decides where the job runs.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from sagemaker_hf import storage
from sagemaker_hf.configs import TrainingCompilerConfig, configuration_error
from sagemaker_hf.distribution import check_distribution, distribution_hyperparameters
from sagemaker_hf.errors import ConfigurationError, UnsupportedValueError
from sagemaker_hf.estimator_attach import (
    JOB_NAME,
    LOG_LEVEL,
    PROGRAM,
    REGION,
    RESERVED_HYPERPARAMETERS,
    SUBMIT_DIRECTORY,
    attach_arguments,
)
from sagemaker_hf.estimator_model import AfterTraining
from sagemaker_hf.names import base_name_from_image, name_from_base, normalize_tags
from sagemaker_hf.training import (
    ISOLATED_SUBMIT_DIRECTORY,
    SOURCE_ARCHIVE_NAME,
    TrainingCode,
    TrainingInput,
    check_versions,
    input_channels,
)
from sagemaker_hf.training_logs import TrainingJob, wait_for_training_job
from sagemaker_hf.training_request import (
    TrainingSettings,
    check_hyperparameter_limits,
    encode_hyperparameters,
)

logger = logging.getLogger(__name__)


class HuggingFace(AfterTraining):
    """Trains a Hugging Face script on SageMaker (SDK v2's ``sagemaker.huggingface.HuggingFace``).

    ``instance_type="local"`` trains in a child process on this machine instead, through the
    same ``fit()``. See :mod:`sagemaker_hf.training` for how inputs and code are sent.
    """

    def __init__(
        self,
        py_version: str | None = None,
        entry_point: str | None = None,
        transformers_version: str | None = None,
        tensorflow_version: str | None = None,
        pytorch_version: str | None = None,
        source_dir: str | None = None,
        hyperparameters: dict[str, Any] | None = None,
        image_uri: str | None = None,
        distribution: dict[str, Any] | None = None,
        compiler_config: TrainingCompilerConfig | None = None,
        *,
        role: str | None = None,
        instance_type: str | None = None,
        instance_count: int = 1,
        volume_size: int = 30,
        max_run: int = 86400,
        input_mode: str = "File",
        output_path: str | None = None,
        code_location: str | None = None,
        checkpoint_s3_uri: str | None = None,
        checkpoint_local_path: str | None = None,
        use_spot_instances: bool = False,
        max_wait: int | None = None,
        metric_definitions: list[dict[str, str]] | None = None,
        environment: dict[str, str] | None = None,
        base_job_name: str | None = None,
        tags: dict[str, str] | list[dict[str, str]] | None = None,
        sagemaker_session: Any = None,
        dependencies: list[str] | None = None,
        git_config: dict[str, str] | None = None,
        volume_kms_key: str | None = None,
        output_kms_key: str | None = None,
        subnets: list[str] | None = None,
        security_group_ids: list[str] | None = None,
        enable_network_isolation: bool = False,
        enable_sagemaker_metrics: bool = True,
        debugger_hook_config: Any = None,
        container_log_level: int = logging.INFO,
    ) -> None:
        if entry_point is None:
            hint = (
                f" (py_version={py_version!r} looks like one: pass it as entry_point=)"
                if str(py_version).endswith(".py")
                else ""
            )
            raise ConfigurationError(f"HuggingFace needs entry_point='train.py', the training script{hint}.")
        if git_config is not None:
            raise ConfigurationError(
                "git_config is not supported: clone the repository yourself (git clone <repo>) and pass "
                "entry_point= and source_dir= inside the checkout."
            )
        if debugger_hook_config not in (None, False):
            raise ConfigurationError(
                "debugger_hook_config is not supported (SageMaker Debugger is off); pass None or False."
            )
        check_versions(transformers_version, pytorch_version, tensorflow_version, py_version, image_uri)
        self.code = TrainingCode(entry_point, source_dir, tuple(dependencies or ()))
        self.code.check()
        try:
            self.settings = TrainingSettings(
                instance_type=instance_type or "",
                instance_count=instance_count,
                volume_size=volume_size,
                max_run=max_run,
                input_mode=input_mode,
                use_spot_instances=use_spot_instances,
                max_wait=max_wait,
                checkpoint_s3_uri=checkpoint_s3_uri,
                checkpoint_local_path=checkpoint_local_path,
                metric_definitions=metric_definitions,
                environment=environment,
                volume_kms_key=volume_kms_key,
                output_kms_key=output_kms_key,
                subnets=subnets,
                security_group_ids=security_group_ids,
                enable_network_isolation=enable_network_isolation,
            )
        except ValidationError as error:
            raise configuration_error("HuggingFace()", error) from None
        self.distribution = check_distribution(distribution, instance_type)
        if compiler_config is not None and not isinstance(compiler_config, TrainingCompilerConfig):
            raise ConfigurationError(
                f"compiler_config is a {type(compiler_config).__name__}; pass "
                "sagemaker_hf.TrainingCompilerConfig(enabled=True)."
            )
        if compiler_config:
            compiler_config.check_estimator(
                instance_type, pytorch_version, tensorflow_version, image_uri, self.distribution
            )
        elif "pytorchxla" in self.distribution:
            raise ConfigurationError(
                "distribution={'pytorchxla': ...} runs only with SageMaker Training Compiler: add "
                "compiler_config=TrainingCompilerConfig(), or use {'torch_distributed': {'enabled': True}}."
            )
        self._hyperparameters: dict[str, Any] = {}
        self.set_hyperparameters(**(hyperparameters or {}))
        self.entry_point = entry_point
        self.source_dir = source_dir
        self.dependencies = list(dependencies or [])
        self.framework_version = transformers_version  # SDK v2's attribute name
        self.transformers_version = transformers_version
        self.pytorch_version = pytorch_version
        self.tensorflow_version = tensorflow_version
        self.py_version = py_version
        self.image_uri = image_uri
        self.compiler_config = compiler_config
        self.role = role
        self.instance_type = instance_type
        self.instance_count = instance_count
        self.output_path = output_path
        self.code_location = code_location
        self.base_job_name = base_job_name
        self.tags = normalize_tags(tags)
        self.enable_sagemaker_metrics = enable_sagemaker_metrics
        self.container_log_level = container_log_level
        self.sagemaker_session = sagemaker_session
        self.latest_training_job: TrainingJob | None = None
        self._submit_directory: str | None = None

    def __repr__(self) -> str:
        job = self.latest_training_job.name if self.latest_training_job else None
        return f"HuggingFace(entry_point={self.entry_point!r}, latest_training_job={job!r})"

    # ---- hyperparameters and image ------------------------------------------------------

    def set_hyperparameters(self, **values: Any) -> None:
        """Add or replace hyperparameters (passed to the script as ``--key value``)."""
        reserved = sorted(RESERVED_HYPERPARAMETERS & set(values))
        if reserved:
            raise ConfigurationError(
                f"hyperparameters {reserved} are set by the estimator itself; rename yours or use the "
                "matching argument (entry_point, distribution, compiler_config, ...)."
            )
        encode_hyperparameters(values)  # fail now on values JSON cannot hold
        self._hyperparameters.update(values)

    def hyperparameters(self) -> dict[str, str]:
        """The user's, distribution and compiler hyperparameters, JSON-encoded (as SDK v2)."""
        values: dict[str, Any] = dict(self._hyperparameters)
        values.update(distribution_hyperparameters(self.distribution, self.instance_type))
        if self.compiler_config:
            values.update(self.compiler_config.to_hyperparameters())
        return encode_hyperparameters(values)

    def training_image_uri(self, session: Any = None) -> str:
        """``image_uri``, or the Hugging Face training image of these versions."""
        if self.image_uri:
            return self.image_uri
        from sagemaker_hf import image_uris

        def resolve(instance_type: str | None) -> str:
            return image_uris.huggingface_image_uri(
                self._session(session).boto_region_name,
                self.framework_version or "",
                pytorch_version=self.pytorch_version,
                tensorflow_version=self.tensorflow_version,
                py_version=self.py_version,
                instance_type=instance_type,
                scope="training",
                compiler=bool(self.compiler_config),
            )

        try:
            return resolve(self.instance_type)
        except UnsupportedValueError:
            if self._session(session).runs_images:
                raise
            # Nothing pulls this image: an image of the same versions (GPU-only ones
            # included) just records them, for attach() and create_model().
            return resolve(None)

    def _session(self, session: Any = None) -> Any:
        from sagemaker_hf.session import session_for_instance_type

        if session is None:
            self.sagemaker_session = session_for_instance_type(self.sagemaker_session, self.instance_type)
            session = self.sagemaker_session
        return session

    # ---- fit ----------------------------------------------------------------------------

    def _code_uri(self, session: Any, job_name: str) -> str:
        if self.code_location:
            return storage.join_uri(self.code_location, job_name, "source", SOURCE_ARCHIVE_NAME)
        if self.output_path and storage.is_s3(self.output_path):
            # SDK v2 keeps the code in the output bucket, so no default bucket is needed.
            bucket = storage.parse_s3_uri(self.output_path).bucket
            return f"s3://{bucket}/{job_name}/source/{SOURCE_ARCHIVE_NAME}"
        return session.artifact_uri(job_name, "source", SOURCE_ARCHIVE_NAME)

    def training_job_request(
        self, session: Any, job_name: str, inputs: Any = None, image: str | None = None
    ) -> dict[str, Any]:
        """CreateTrainingJob arguments; uploads the code and any local inputs on the way."""
        image = image or self.training_image_uri(session)
        role_arn = session.execution_role_arn(self.role, "training a model")
        code_uri = self._code_uri(session, job_name)
        # SDK v2 encrypts the code with output_kms_key whenever it goes to the output's bucket.
        output_uri = self.output_path or session.artifact_uri()
        code_kms = self.settings.output_kms_key if storage.same_s3_bucket(code_uri, output_uri) else None
        submit_directory = self.code.upload(session, code_uri, code_kms)
        self._submit_directory = submit_directory
        channels = input_channels(session, inputs, job_name)
        if self.settings.enable_network_isolation:
            # An isolated container cannot reach S3, so its code comes in as a channel.
            channels.append({"ChannelName": "code", **TrainingInput(submit_directory).config})
            submit_directory = ISOLATED_SUBMIT_DIRECTORY
        values: dict[str, Any] = {
            **self._hyperparameters,
            PROGRAM: self.code.program,
            SUBMIT_DIRECTORY: submit_directory,
            LOG_LEVEL: self.container_log_level,
            JOB_NAME: job_name,
            REGION: session.boto_region_name,
        }
        values.update(distribution_hyperparameters(self.distribution, self.instance_type))
        if self.compiler_config:
            values.update(self.compiler_config.to_hyperparameters())
        hyperparameters = encode_hyperparameters(values)
        check_hyperparameter_limits(hyperparameters)
        return self.settings.to_request(
            job_name,
            image,
            role_arn,
            self.output_path or session.artifact_uri(),
            hyperparameters,
            channels,
            self.tags,
            self.enable_sagemaker_metrics,
        )

    def fit(
        self,
        inputs: Any = None,
        wait: bool = True,
        logs: bool | str = True,
        job_name: str | None = None,
    ) -> None:
        """Start a training job on ``inputs`` and, by default, wait for it with its log.

        ``inputs``: an ``s3://``/``file://`` URI or local path (channel ``training``), a
        :class:`~sagemaker_hf.training.TrainingInput`, or a dict of channel → one of those.
        ``logs``: True/"All" streams the job's log while waiting; False/"None" does not.
        A failed job raises :class:`~sagemaker_hf.errors.ResourceFailedError` with its
        ``FailureReason``.
        """
        session = self._session()
        image = self.training_image_uri(session)
        name = job_name or name_from_base(self.base_job_name or base_name_from_image(image))
        request = self.training_job_request(session, name, inputs, image)
        session.sagemaker_client.create_training_job(**request)
        self.latest_training_job = TrainingJob(name, session)
        if wait:
            self.wait(logs=logs)

    def _job(self) -> TrainingJob:
        if self.latest_training_job is None:
            raise ConfigurationError("No training job yet: call fit() (or HuggingFace.attach(job_name)).")
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
    def model_data(self) -> str:
        """The trained ``model.tar.gz`` (``ModelArtifacts.S3ModelArtifacts``)."""
        job = self._job()
        description = job.describe()
        uri = description.get("ModelArtifacts", {}).get("S3ModelArtifacts")
        if uri:
            return uri
        output = description.get("OutputDataConfig", {}).get("S3OutputPath") or self.output_path
        return storage.join_uri(output, job.name, "output", "model.tar.gz")

    # ---- attach ---------------------------------------------------------------------------

    @classmethod
    def attach(
        cls, training_job_name: str, sagemaker_session: Any = None, model_channel_name: str = "model"
    ) -> HuggingFace:
        """An estimator for an existing job, rebuilt from DescribeTrainingJob.

        Versions come from the image tag, the script and code from ``sagemaker_program`` /
        ``sagemaker_submit_directory``. A job still running is waited for (without logs).
        """
        del model_channel_name  # accepted for SDK v2 compatibility
        if sagemaker_session is None:
            from sagemaker_hf.session import Session

            sagemaker_session = Session()
        job = sagemaker_session.sagemaker_client.describe_training_job(TrainingJobName=training_job_name)
        estimator = cls(**attach_arguments(job), sagemaker_session=sagemaker_session)
        estimator.latest_training_job = TrainingJob(training_job_name, sagemaker_session)
        estimator._submit_directory = estimator.source_dir
        if job["TrainingJobStatus"] in ("InProgress", "Stopping"):
            estimator.wait(logs=False)
        return estimator
