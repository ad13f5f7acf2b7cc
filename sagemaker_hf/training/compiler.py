"""SageMaker Training Compiler: ``TrainingCompilerConfig`` and the settings it refuses (SDK v2's checks).

The config becomes two hyperparameters (:data:`COMPILER_ENABLED`, :data:`COMPILER_DEBUG`),
which ``attach()`` reads back.
"""

from __future__ import annotations

from typing import Any

from sagemaker_hf._validation.v2_config import V2Config
from sagemaker_hf.errors import ConfigurationError

COMPILER_ENABLED = "sagemaker_training_compiler_enabled"
COMPILER_DEBUG = "sagemaker_training_compiler_debug_mode"
# SDK v2's Hugging Face list: the GPU families SageMaker Training Compiler runs on.
COMPILER_INSTANCE_FAMILIES = ("p3", "p3dn", "g4dn", "p4d", "g5")
COMPILER_PYTORCH_VERSIONS = ">=1.9,<1.12"
# From PyTorch 1.11 on, the compiler distributes training only through PyTorch/XLA.
COMPILER_XLA_SINCE_PYTORCH = "1.11"


class TrainingCompilerConfig(V2Config):
    """SageMaker Training Compiler for a ``HuggingFace`` estimator (SDK v2's names).

    ``enabled=False`` trains with the plain image, as if no config were given.
    ``debug=True`` makes the compiler dump its logs to ``/opt/ml/output/data/compiler/``.
    """

    enabled: bool = True
    debug: bool = False

    def __bool__(self) -> bool:
        return self.enabled

    def to_hyperparameters(self) -> dict[str, bool]:
        """The ``sagemaker_training_compiler_*`` hyperparameters (before JSON encoding)."""
        return {COMPILER_ENABLED: self.enabled, COMPILER_DEBUG: self.debug}

    def check_estimator(
        self,
        instance_type: str | None,
        pytorch_version: str | None,
        tensorflow_version: str | None,
        image_uri: str | None,
        distribution: dict[str, Any],
    ) -> None:
        """Refuse estimator settings the compiler cannot run with (SDK v2's checks)."""
        from packaging.specifiers import SpecifierSet
        from packaging.version import Version

        if not self.enabled:
            return
        parts = (instance_type or "").split(".")
        family = parts[1] if len(parts) == 3 and parts[0] == "ml" else None
        if family is None or not family.startswith(COMPILER_INSTANCE_FAMILIES):
            raise ConfigurationError(
                f"instance_type={instance_type!r} cannot run SageMaker Training Compiler: it needs a GPU "
                f"instance of the families {', '.join(COMPILER_INSTANCE_FAMILIES)} (e.g. ml.p3.2xlarge). "
                "Pick one of those, or drop compiler_config."
            )
        if image_uri:
            raise ConfigurationError(
                f"compiler_config cannot be combined with image_uri={image_uri!r}: the compiler has its own "
                "images. Drop image_uri and pass transformers_version with pytorch_version or "
                "tensorflow_version."
            )
        if "smdistributed" in distribution:
            raise ConfigurationError(
                "distribution={'smdistributed': ...} is not compatible with SageMaker Training Compiler; use "
                "distribution={'pytorchxla': {'enabled': True}}, or drop compiler_config."
            )
        xla = bool(distribution.get("pytorchxla", {}).get("enabled"))
        if tensorflow_version is not None and xla:
            raise ConfigurationError(
                "distribution={'pytorchxla': ...} needs PyTorch; it cannot run with "
                f"tensorflow_version={tensorflow_version!r}."
            )
        if pytorch_version is None:
            return
        version = Version(pytorch_version)
        if version not in SpecifierSet(COMPILER_PYTORCH_VERSIONS):
            raise ConfigurationError(
                f"pytorch_version={pytorch_version!r} has no SageMaker Training Compiler image; the compiler "
                "supports Hugging Face PyTorch 1.9 to 1.11 (e.g. transformers_version='4.21', "
                "pytorch_version='1.11')."
            )
        since_xla = version >= Version(COMPILER_XLA_SINCE_PYTORCH)
        if xla and not since_xla:
            raise ConfigurationError(
                f"distribution={{'pytorchxla': ...}} needs PyTorch >= {COMPILER_XLA_SINCE_PYTORCH} with the "
                f"compiler; got pytorch_version={pytorch_version!r}."
            )
        if distribution and since_xla and "pytorchxla" not in distribution:
            raise ConfigurationError(
                f"distribution={distribution!r} is not supported by SageMaker Training Compiler with PyTorch "
                f">= {COMPILER_XLA_SINCE_PYTORCH}; use distribution={{'pytorchxla': {{'enabled': True}}}}."
            )
