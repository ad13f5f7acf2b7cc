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
    # hosting
    "HuggingFaceModel": ".hosting.model",
    "Predictor": ".hosting.base_predictor",
    "HuggingFacePredictor": ".hosting.predictor",
    "AsyncPredictor": ".hosting.predictor",
    "AsyncInferenceResponse": ".hosting.predictor",
    "WaiterConfig": ".hosting.predictor",
    "ServerlessInferenceConfig": ".hosting.configs",
    "AsyncInferenceConfig": ".hosting.configs",
    "DataCaptureConfig": ".hosting.configs",
    # batch transform
    "Transformer": ".batch.transformer",
    # training
    "HuggingFace": ".training.estimator",
    "Estimator": ".training.generic",
    "TrainingInput": ".training.inputs",
    "TrainingJobAnalytics": ".training.analytics",
    "TrainingCompilerConfig": ".training.compiler",
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
    "analytics": ".training.analytics",  # sagemaker.analytics
    "deserializers": ".serializers",  # sagemaker.deserializers: serializers.py holds both kinds
    "estimator": ".training.estimator",  # sagemaker.estimator: HuggingFace and Estimator
    "exceptions": ".errors",  # sagemaker.exceptions: errors.py defines v2's nine classes
    "predictor": ".hosting.predictor",  # sagemaker.predictor: Predictor and the Hugging Face ones
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
    from . import errors as exceptions
    from . import image_uris, s3, serializers
    from . import serializers as deserializers
    from .batch.transformer import Transformer
    from .errors import SageMakerHFError, UnsupportedValueError
    from .hosting import predictor
    from .hosting.base_predictor import Predictor
    from .hosting.configs import AsyncInferenceConfig, DataCaptureConfig, ServerlessInferenceConfig
    from .hosting.model import HuggingFaceModel
    from .hosting.predictor import AsyncInferenceResponse, AsyncPredictor, HuggingFacePredictor, WaiterConfig
    from .image_uris import get_huggingface_llm_image_uri
    from .session import LocalSession, Session, get_execution_role
    from .training import analytics, estimator
    from .training.analytics import TrainingJobAnalytics
    from .training.compiler import TrainingCompilerConfig
    from .training.estimator import HuggingFace
    from .training.generic import Estimator
    from .training.inputs import TrainingInput
