"""Dicts that users pass straight through to the SageMaker API, checked against botocore's model.

A few SDK v2 arguments are API structures given as plain dicts (``notification_config``,
``routing_config``, ``model_client_config``, ``model_data={"S3DataSource": ...}``). Their
keys, types, enum values and patterns are the API's, so they are checked against the
service model that boto3 itself uses, not against a hand-written list that would drift:
a bad value fails when the argument is given, naming the key and what the API accepts,
instead of as a ``ValidationException`` after the model was created.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from sagemaker_hf.errors import ConfigurationError

_SERVICE = "sagemaker"


@functools.cache
def api_shape(name: str) -> Any:
    """The botocore shape called ``name`` in the SageMaker service model (loaded once)."""
    import botocore.session

    return botocore.session.get_session().get_service_model(_SERVICE).shape_for(name)


def shape_members(name: str) -> list[str]:
    return list(api_shape(name).members)


def check_structure(
    argument: str, value: Any, shape_name: str, free_patterns: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """``value`` (a dict shaped like the API structure ``shape_name``) as a plain dict.

    Raises :class:`ConfigurationError` naming the first key or value the API would refuse.
    Strings under the keys in ``free_patterns`` skip the API's pattern (the caller checks
    them, e.g. an ``S3Uri`` that local mode also takes as a path).
    """
    problem = _structure_problem(argument, value, api_shape(shape_name), free_patterns)
    if problem:
        raise ConfigurationError(problem)
    return _plain(value)


def _structure_problem(where: str, value: Any, shape: Any, free: frozenset[str]) -> str | None:
    if not isinstance(value, Mapping):
        return f"{where}: got {type(value).__name__} {value!r}; expected a dict with the keys {_keys(shape)}."
    unknown = sorted(str(key) for key in value if key not in shape.members)
    if unknown:
        return f"{where} has unknown keys ({', '.join(unknown)}); the API takes {_keys(shape)}."
    missing = [key for key in shape.required_members if key not in value]
    if missing:
        return f"{where} needs the keys {', '.join(missing)} (the API requires them)."
    for key, item in value.items():
        member = shape.members[key]
        problem = _value_problem(f"{where}[{key!r}]", item, member, free, key in free)
        if problem:
            return problem
    return None


def _value_problem(
    where: str, value: Any, shape: Any, free: frozenset[str], free_pattern: bool
) -> str | None:
    kind = shape.type_name
    if kind == "structure":
        return _structure_problem(where, value, shape, free)
    if kind == "list":
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple)):
            return f"{where}: got {type(value).__name__} {value!r}; the API takes a list here."
        for index, item in enumerate(value):
            problem = _value_problem(f"{where}[{index}]", item, shape.member, free, free_pattern)
            if problem:
                return problem
        return None
    if kind == "boolean":
        return None if isinstance(value, bool) else f"{where}: got {value!r}; expected True or False."
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{where}: got {type(value).__name__} {value!r}; expected an int."
        return _range_problem(where, value, shape)
    if kind == "string":
        return _string_problem(where, value, shape, free_pattern)
    return None


def _string_problem(where: str, value: Any, shape: Any, free_pattern: bool) -> str | None:
    if not isinstance(value, str):
        return f"{where}: got {type(value).__name__} {value!r}; expected a str."
    if shape.enum and value not in shape.enum:
        return f"{where}={value!r} is not accepted; use one of {', '.join(shape.enum)}."
    pattern = None if free_pattern else shape.metadata.get("pattern")
    if pattern and not _fullmatch(pattern, value):
        return f"{where}={value!r} does not match the API's pattern {pattern}."
    return _range_problem(where, len(value), shape, "length")


def _range_problem(where: str, number: int, shape: Any, what: str = "value") -> str | None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if (low is not None and number < low) or (high is not None and number > high):
        return f"{where}: {what} {number} is outside the API's range {low}..{high}."
    return None


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:  # a pattern in a regex dialect Python does not read: the service checks it
        return None


def _fullmatch(pattern: str, value: str) -> bool:
    compiled = _compiled(pattern)
    return compiled is None or compiled.fullmatch(value) is not None


def _keys(shape: Any) -> str:
    return ", ".join(shape.members)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
