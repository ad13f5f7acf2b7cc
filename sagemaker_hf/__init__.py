"""sagemaker-hf: the SageMaker SDK v2 Hugging Face API, driven through boto3.

Change ``from sagemaker.huggingface import ...`` to ``from sagemaker_hf import ...``.

Every public name is imported lazily on first use, so ``import sagemaker_hf`` stays
instant and never pulls in boto3, torch or transformers.
"""

from __future__ import annotations

import importlib
import sys
import warnings
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

# SDK v2's module names, reached as attributes (``sagemaker.exceptions.X`` after ``import
# sagemaker_hf as sagemaker``) and as import paths (``from sagemaker_hf.exceptions import X``):
# name -> the module (relative to this package) that holds their names. Each is that very
# module, not a copy, so ``except`` clauses and ``isinstance`` see the same classes.
_MODULE_ATTRIBUTES: dict[str, str] = {
    "image_uris": ".image_uris",
    "s3": ".s3",
    "serializers": ".serializers",
    "analytics": ".training.analytics",  # sagemaker.analytics
    "deserializers": ".serializers",  # sagemaker.deserializers: serializers.py holds both kinds
    "estimator": ".training.estimator",  # sagemaker.estimator, sagemaker.huggingface.estimator
    "exceptions": ".errors",  # sagemaker.exceptions: errors.py defines v2's nine classes
    "iterators": ".hosting.response_stream",  # sagemaker.iterators: ByteIterator, LineIterator
    "model": ".hosting.model",  # sagemaker.huggingface.model
    "predictor": ".hosting.predictor",  # sagemaker.predictor: Predictor and the Hugging Face ones
    "transformer": ".batch.transformer",  # sagemaker.transformer
}


# Old module paths kept importable for one minor release after the layout step moved them:
# old name -> (its module now, the release that removes the old path). Importing one warns.
_MOVED_MODULES: dict[str, tuple[str, str]] = {
    "base_predictor": (".hosting.base_predictor", "0.3.0"),  # named in docs/migration.md
}


class _V2ModulePaths:
    """An import finder for the module names above that have no file of their own.

    Notebooks migrate by rewriting ``sagemaker.huggingface.model`` to ``sagemaker_hf.model``
    and ``sagemaker.exceptions`` to ``sagemaker_hf.exceptions``; this keeps those lines working
    without a file per alias, and imports nothing until such a line runs.
    """

    @staticmethod
    def find_spec(fullname: str, path: Any = None, target: Any = None) -> Any:
        import importlib.util  # only a v2 module-name import reaches here; `import sagemaker_hf` skips it

        package, _, name = fullname.rpartition(".")
        if package != __name__:
            return None
        if name in _MODULE_ATTRIBUTES:
            home = _MODULE_ATTRIBUTES[name]
        elif name in _MOVED_MODULES:
            home = _MOVED_MODULES[name][0]
        else:
            return None
        home_name = importlib.util.resolve_name(home, __name__)
        if home_name == fullname:
            return None  # a real module: the ordinary finders load it
        return importlib.util.spec_from_loader(fullname, _V2ModulePaths, origin=home_name)

    @staticmethod
    def create_module(spec: Any) -> Any:
        moved = _MOVED_MODULES.get(spec.name.rpartition(".")[2])
        if moved is not None:
            warnings.warn(
                f"{spec.name} moved to {spec.origin}; the old path goes in sagemaker-hf {moved[1]}. "
                f"Import from {spec.origin} (or the names from sagemaker_hf) instead.",
                DeprecationWarning,
                stacklevel=2,
            )
        module = importlib.import_module(spec.origin)
        spec.loader_state = module.__spec__
        return module

    @staticmethod
    def exec_module(module: Any) -> None:
        # the import system has just set the module's __spec__ to the alias's; give its own back
        module.__spec__ = module.__spec__.loader_state


sys.meta_path.append(_V2ModulePaths)

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
    "iterators",
    "model",
    "predictor",
    "s3",
    "serializers",
    "transformer",
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
    from .batch import transformer
    from .batch.transformer import Transformer
    from .errors import SageMakerHFError, UnsupportedValueError
    from .hosting import model, predictor
    from .hosting import response_stream as iterators
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
