"""Checks on public arguments, shared by every class a user constructs or calls.

Two jobs, one home:

- :func:`checked_arguments` checks each argument of a public function against its own
  annotation, so ``deploy(instance_type=["ml.m5.xlarge"])`` raises a
  :class:`~sagemaker_hf.errors.ConfigurationError` naming the argument, the type given and
  the type expected, instead of a ``TypeError: unhashable type`` three calls deeper.
- :func:`warn_ignored_arguments` accepts SDK v2 keywords that mean nothing here with a
  warning that names them, instead of refusing code that ran on v2 with ``TypeError``.

Annotations are the single source of truth: a new parameter is checked by being annotated.
Only the outer shape is enforced (``list[str]`` checks the list and its items, ``dict[str,
Any]`` the mapping and its keys); values are checked by the code that uses them.
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
import warnings
from collections.abc import Callable, Mapping
from pathlib import PurePath
from typing import Any, TypeVar

from sagemaker_hf.errors import ConfigurationError, SageMakerHFWarning

F = TypeVar("F", bound=Callable[..., Any])

_UNCHECKED = object()  # an annotation this module cannot check (e.g. a TYPE_CHECKING-only name)


def checked_arguments(owner: str) -> Callable[[F], F]:
    """Decorate a public function so that each argument must match its annotation.

    ``owner`` names the call in errors, e.g. ``"HuggingFaceModel.deploy"``.
    """

    def decorate(function: F) -> F:
        signature = inspect.signature(function)
        annotations: dict[str, Any] | None = None

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            nonlocal annotations
            if annotations is None:  # resolved on first call: the module is fully imported by then
                annotations = _resolve_annotations(function, signature)
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError as error:
                raise TypeError(f"{owner}(): {error}") from None
            for name, value in bound.arguments.items():
                expected = annotations.get(name, _UNCHECKED)
                if expected is not _UNCHECKED:
                    check_argument(owner, name, value, expected)
            return function(*args, **kwargs)

        return typing.cast(F, wrapper)

    return decorate


def check_argument(owner: str, name: str, value: Any, expected: Any) -> None:
    """Raise :class:`ConfigurationError` unless ``value`` matches the annotation ``expected``.

    For checks that cannot be a decorator, e.g. the fields of a config model.
    """
    if not _matches(value, expected):
        raise ConfigurationError(
            f"{owner}({name}=...): got {_describe_value(value)}; expected {describe_type(expected)}."
        )


def warn_ignored_arguments(owner: str, given: Mapping[str, object], why: str) -> list[str]:
    """Warn once, naming every SDK v2 argument in ``given`` that was passed (not ``None``).

    Returns the names warned about. ``why`` says why they have no effect here.
    """
    names = [name for name, value in given.items() if value is not None]
    if names:
        listed = ", ".join(names)
        warnings.warn(
            f"{owner}: ignoring SDK v2 argument(s) {listed}: {why}",
            SageMakerHFWarning,
            stacklevel=_first_caller_outside_package(),
        )
    return names


def _first_caller_outside_package() -> int:
    """The ``stacklevel`` that points a warning at the user's line, past our own frames."""
    package_dir = str(PurePath(__file__).parent)
    frame, level = inspect.currentframe(), 0
    while frame is not None and (level < 2 or frame.f_code.co_filename.startswith(package_dir)):
        frame, level = frame.f_back, level + 1
    return level


def describe_type(annotation: Any) -> str:
    """``str | None`` -> ``"str or None"``; ``list[str]`` -> ``"a list of str"``."""
    origin = typing.get_origin(annotation)
    if annotation is type(None) or annotation is None:
        return "None"
    if annotation is Any:
        return "any value"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(describe_type(member) for member in typing.get_args(annotation))
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(value) for value in typing.get_args(annotation))
    if origin in (list, tuple, set, frozenset):
        items = typing.get_args(annotation)
        item = items[0] if items else Any
        return f"a {origin.__name__}" + ("" if item is Any else f" of {describe_type(item)}")
    if origin in (dict, Mapping):
        return "a dict"
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation)


def _describe_value(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def _resolve_annotations(function: Callable[..., Any], signature: inspect.Signature) -> dict[str, Any]:
    namespace = dict(getattr(function, "__globals__", {}))
    resolved: dict[str, Any] = {}
    for name, parameter in signature.parameters.items():
        annotation = parameter.annotation
        if annotation is inspect.Parameter.empty or name == "self":
            continue
        if isinstance(annotation, str):
            try:
                annotation = eval(annotation, namespace)  # our own annotations, in their own module
            except Exception:  # a name only imported for type checkers: leave it unchecked
                continue
        resolved[name] = annotation
    return resolved


def _matches(value: Any, annotation: Any) -> bool:
    if annotation is Any or annotation is object:
        return True
    if annotation is None or annotation is type(None):
        return value is None
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, member) for member in typing.get_args(annotation))
    if origin is typing.Literal:
        return value in typing.get_args(annotation)
    if origin in (list, tuple, set, frozenset):
        return _matches_collection(value, annotation, origin)
    if origin in (dict, Mapping):
        key_type = (typing.get_args(annotation) or (Any,))[0]
        return isinstance(value, Mapping) and all(_matches(key, key_type) for key in value)
    if origin is not None:  # Callable[...], Iterable[...] and the like: not checked here
        return True
    if annotation is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if annotation is PurePath or (isinstance(annotation, type) and issubclass(annotation, PurePath)):
        return isinstance(value, PurePath)
    if isinstance(annotation, type):
        return isinstance(value, annotation)
    return True


def _matches_collection(value: Any, annotation: Any, origin: type) -> bool:
    # A list and a tuple are interchangeable for users (SDK v2 took either); a string is not a list.
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset)):
        return False
    items = typing.get_args(annotation)
    if origin is tuple and items and not (len(items) == 2 and items[1] is Ellipsis):
        return True  # fixed-length tuples are checked by their users
    item_type = items[0] if items else Any
    return all(_matches(item, item_type) for item in value)
