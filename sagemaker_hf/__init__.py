"""sagemaker-hf: the SageMaker SDK v2 Hugging Face API, driven through boto3.

Change ``from sagemaker.huggingface import ...`` to ``from sagemaker_hf import ...``.

Every public name is imported lazily on first use, so ``import sagemaker_hf`` stays
instant and never pulls in boto3, torch or transformers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module (relative to this package) that defines it
_LAZY_EXPORTS: dict[str, str] = {
    # image URIs
    "get_huggingface_llm_image_uri": ".image_uris",
    # session and role
    "Session": ".session",
    "LocalSession": ".session",
    "get_execution_role": ".session",
    # models, predictors, batch and training
    "HuggingFaceModel": ".model",
    "Predictor": ".predictor",
    "HuggingFacePredictor": ".predictor",
    "AsyncPredictor": ".predictor",
    "AsyncInferenceResponse": ".predictor",
    "WaiterConfig": ".predictor",
    "Transformer": ".transformer",
    "HuggingFace": ".estimator",
    "Estimator": ".estimator",
    "TrainingInput": ".training",
    "TrainingJobAnalytics": ".analytics",
    # configs
    "ServerlessInferenceConfig": ".configs",
    "AsyncInferenceConfig": ".configs",
    "DataCaptureConfig": ".configs",
    "TrainingCompilerConfig": ".configs",
    # errors
    "SageMakerHFError": ".errors",
    "UnsupportedValueError": ".errors",
}

# Modules reached as attributes (``sagemaker.s3.S3Uploader``): attribute -> the module it is.
# SDK v2's module names are kept here as aliases of the module that holds their names, so
# ``import sagemaker_hf as sagemaker`` keeps v2's spelling (``sagemaker.exceptions.X``).
_MODULE_ATTRIBUTES: dict[str, str] = {
    "image_uris": ".image_uris",
    "s3": ".s3",
    "serializers": ".serializers",
    "analytics": ".analytics",
    "deserializers": ".deserializers",
    "estimator": ".estimator",
    "exceptions": ".exceptions",
    "predictor": ".predictor",
}

__all__ = [
    "AsyncInferenceConfig",
    "AsyncInferenceResponse",
    "AsyncPredictor",
    "DataCaptureConfig",
    "Estimator",
    "HuggingFace",
    "HuggingFaceModel",
    "HuggingFacePredictor",
    "LocalSession",
    "Predictor",
    "SageMakerHFError",
    "ServerlessInferenceConfig",
    "Session",
    "TrainingCompilerConfig",
    "TrainingInput",
    "TrainingJobAnalytics",
    "Transformer",
    "UnsupportedValueError",
    "WaiterConfig",
    "__version__",
    "analytics",
    "deserializers",
    "estimator",
    "exceptions",
    "get_execution_role",
    "get_huggingface_llm_image_uri",
    "image_uris",
    "predictor",
    "s3",
    "serializers",
]


def __getattr__(name: str) -> Any:
    if name in _MODULE_ATTRIBUTES:
        value = importlib.import_module(_MODULE_ATTRIBUTES[name], __name__)
    elif name in _LAZY_EXPORTS:
        value = getattr(importlib.import_module(_LAZY_EXPORTS[name], __name__), name)
    else:
        raise AttributeError(f"module 'sagemaker_hf' has no attribute {name!r}")
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # pragma: no cover - for editors and type checkers only
    from . import analytics, deserializers, estimator, exceptions, image_uris, predictor, s3, serializers
    from .analytics import TrainingJobAnalytics
    from .configs import (
        AsyncInferenceConfig,
        DataCaptureConfig,
        ServerlessInferenceConfig,
        TrainingCompilerConfig,
    )
    from .errors import SageMakerHFError, UnsupportedValueError
    from .estimator import Estimator, HuggingFace
    from .image_uris import get_huggingface_llm_image_uri
    from .model import HuggingFaceModel
    from .predictor import (
        AsyncInferenceResponse,
        AsyncPredictor,
        HuggingFacePredictor,
        Predictor,
        WaiterConfig,
    )
    from .session import LocalSession, Session, get_execution_role
    from .training import TrainingInput
    from .transformer import Transformer
