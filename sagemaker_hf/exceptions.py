"""SDK v2's ``sagemaker.exceptions`` names: ``from sagemaker_hf.exceptions import ...``.

The classes live in :mod:`sagemaker_hf.errors`; this module only gives them v2's import
path, so that ``except UnexpectedStatusException`` and the like keep working with only
the import line changed.
"""

from __future__ import annotations

from sagemaker_hf.errors import (
    AsyncInferenceError,
    AsyncInferenceModelError,
    CapacityError,
    InternalStreamFailure,
    ModelStreamError,
    ObjectNotExistedError,
    PollingTimeoutError,
    UnexpectedClientError,
    UnexpectedStatusException,
)

__all__ = [
    "AsyncInferenceError",
    "AsyncInferenceModelError",
    "CapacityError",
    "InternalStreamFailure",
    "ModelStreamError",
    "ObjectNotExistedError",
    "PollingTimeoutError",
    "UnexpectedClientError",
    "UnexpectedStatusException",
]
