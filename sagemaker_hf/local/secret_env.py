"""Secrets in local mode's records: never written to disk, held in memory by the process that has them.

A model's ``Environment`` (and a transform or training job's) may carry ``HF_TOKEN`` or AWS
credentials. SageMaker keeps them, but local mode's registry is plain JSON under the user's
home, so :func:`held_back` replaces every secret value in an ``Environment`` with a
placeholder before a record is written, and remembers the value in this process.
Descriptions (``describe_model``, ``describe_training_job``...) therefore show the
placeholder.

When an endpoint (or a transform job's model server) starts, :func:`reveal` turns a
placeholder back into the value: from this process's memory, else from this process's
environment variable of the same name (a notebook restarted since it created the model);
failing both, :class:`SecretUnavailableError` fails the endpoint with a message that names
the variable.

Which names are secret is decided by :func:`sagemaker_hf.container.redaction.is_secret_name`.
Everything else local mode writes (failure reasons, log tails in errors, the rest of a
record) goes through :func:`redact`, which masks these secrets and this process's own
secret-named environment values wherever they appear.
Hyperparameters are not touched: the training contract writes them to
``hyperparameters.json`` and SageMaker shows them in DescribeTrainingJob, so a token never
belongs there.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Mapping
from typing import Any

from sagemaker_hf.container.redaction import Redactor, is_secret_name

ENVIRONMENT_KEY = "Environment"
_PLACEHOLDER = "<secret, not written to disk: {id}>"
_PLACEHOLDER_PATTERN = re.compile(r"<secret, not written to disk: ([0-9a-f]{16})>")

# This process's secrets: placeholder id -> value, and value -> id (one placeholder per value).
_values: dict[str, str] = {}
_ids: dict[str, str] = {}


class SecretUnavailableError(Exception):
    """A placeholder whose value neither this process's memory nor its environment holds."""


def _redactor() -> Redactor:
    redactor = Redactor(_values.values())
    redactor.add_environment(os.environ)
    return redactor


def redact(text: str) -> str:
    """``text`` with every secret this process knows masked (held values and its environment's)."""
    return _redactor().redact(text)


def _placeholder(value: str) -> str:
    if _PLACEHOLDER_PATTERN.fullmatch(value):
        return value  # already held back (a record read from disk, saved again)
    if value not in _ids:
        identifier = uuid.uuid4().hex[:16]
        _ids[value], _values[identifier] = identifier, value
    return _PLACEHOLDER.format(id=_ids[value])


def _environment(environment: dict[str, Any]) -> dict[str, Any]:
    return {
        name: _placeholder(value) if isinstance(value, str) and value and is_secret_name(name) else value
        for name, value in environment.items()
    }


def held_back(data: Any) -> Any:
    """``data`` (a record as JSON-able values) safe to write: each secret of every ``Environment``
    replaced by its placeholder, and any secret elsewhere (a failure reason quoting a log) masked."""
    return _held_back(data, _redactor())


def _held_back(data: Any, redactor: Redactor) -> Any:
    if isinstance(data, dict):
        return {
            key: _environment(value)
            if key == ENVIRONMENT_KEY and isinstance(value, dict)
            else _held_back(value, redactor)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [_held_back(item, redactor) for item in data]
    if isinstance(data, str):
        return redactor.redact(data)
    return data


def reveal(name: str, value: str, environ: Mapping[str, str]) -> str:
    """The value to give a process for ``name``: ``value`` itself, or the secret its placeholder
    stands for (from memory, else ``environ[name]``)."""
    found = _PLACEHOLDER_PATTERN.fullmatch(value) if isinstance(value, str) else None
    if found is None:
        return value
    secret = _values.get(found.group(1)) or environ.get(name)
    if not secret:
        raise SecretUnavailableError(
            f"the model's Environment sets {name}, whose value local mode never writes to disk, and this "
            f"Python process does not hold it (it was set by another process). Set {name} in this "
            "process's environment, or create the model again here"
        )
    return secret
