"""SDK v2's ``sagemaker.deserializers`` import path: ``from sagemaker_hf.deserializers import ...``.

The classes live in :mod:`sagemaker_hf.serializers` (serializers and deserializers, one home).
"""

from __future__ import annotations

from sagemaker_hf.serializers import (
    BaseDeserializer,
    BytesDeserializer,
    CSVDeserializer,
    JSONDeserializer,
    JSONLinesDeserializer,
    NumpyDeserializer,
    SimpleBaseDeserializer,
    StreamDeserializer,
    StringDeserializer,
)

__all__ = [
    "BaseDeserializer",
    "BytesDeserializer",
    "CSVDeserializer",
    "JSONDeserializer",
    "JSONLinesDeserializer",
    "NumpyDeserializer",
    "SimpleBaseDeserializer",
    "StreamDeserializer",
    "StringDeserializer",
]
