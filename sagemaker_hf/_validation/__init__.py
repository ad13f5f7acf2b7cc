"""Checks on public arguments, shared by every class a user constructs or calls.

Three jobs, one home (this package):

- :func:`checked_arguments` checks each argument of a public function against its own
  annotation, so ``deploy(instance_type=["ml.m5.xlarge"])`` raises an
  :class:`~sagemaker_hf.errors.ArgumentTypeError` (a ``ConfigurationError`` and a
  ``TypeError``) naming the argument, the type given and
  the type expected, instead of a ``TypeError: unhashable type`` three calls deeper.
- :func:`warn_ignored_arguments` accepts SDK v2 keywords that mean nothing here with a
  warning that names them, instead of refusing code that ran on v2 with ``TypeError``;
  :func:`warn_unknown_arguments` does the same for keywords v2 swallowed through ``**kwargs``.
- :mod:`~sagemaker_hf._validation.api_shapes` checks the dicts users pass straight to the API
  against botocore's model, and :mod:`~sagemaker_hf._validation.v2_config` is the base of
  the config classes; :func:`configuration_error` words a pydantic error for both.

Annotations are the single source of truth: a new parameter is checked by being annotated.
Only the outer shape is enforced (``list[str]`` checks the list and its items, ``dict[str,
Any]`` the mapping and its keys); values are checked by the code that uses them.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import inspect
import types
import typing
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, TypeVar

from sagemaker_hf.errors import ArgumentTypeError, ConfigurationError, SageMakerHFWarning

if TYPE_CHECKING:  # pragma: no cover
    from pydantic import ValidationError

F = TypeVar("F", bound=Callable[..., Any])

_UNCHECKED = object()  # an annotation this module cannot check (e.g. a TYPE_CHECKING-only name)


def checked_arguments(owner: str) -> Callable[[F], F]:
    """Decorate a public function so that each argument must match its annotation.

    ``owner`` names the call in errors, e.g. ``"HuggingFaceModel.deploy"``.
    """

    def decorate(function: F) -> F:
        signature = inspect.signature(function)
        annotations: dict[str, Any] | None = None
        arguments_of = _argument_matcher(signature)

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            nonlocal annotations
            if annotations is None:  # resolved on first call: the module is fully imported by then
                annotations = _resolve_annotations(function, signature)
            try:
                given = arguments_of(args, kwargs)
            except TypeError as error:
                raise TypeError(f"{owner}(): {error}") from None
            for name, value in given:
                expected = annotations.get(name, _UNCHECKED)
                if expected is _UNCHECKED or _quick_match(value, expected):
                    continue
                raise ArgumentTypeError(
                    f"{owner}({name}=...): got {_describe_value(value)}; expected {describe_type(expected)}."
                )
            return function(*args, **kwargs)

        return typing.cast(F, wrapper)

    return decorate


def _argument_matcher(
    signature: inspect.Signature,
) -> Callable[[tuple[Any, ...], dict[str, Any]], Iterable[tuple[str, Any]]]:
    """``(args, kwargs)`` -> the (name, value) pairs given, as ``Signature.bind`` finds them.

    The common call (no ``*args``/``**kwargs`` in the signature, nothing missing, nothing
    unknown) is matched by name directly: ``bind`` costs more than the checks themselves,
    and image-URI resolution is called in loops. Anything else goes through ``bind``,
    which raises the ``TypeError`` Python would.
    """
    parameters = signature.parameters
    by_position = [
        name
        for name, parameter in parameters.items()
        if parameter.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    simple = all(
        parameter.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        for parameter in parameters.values()
    )
    required = frozenset(
        name for name, parameter in parameters.items() if parameter.default is parameter.empty
    )

    def arguments_of(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
        if simple and len(args) <= len(by_position):
            positional = by_position[: len(args)]
            named = kwargs.keys()
            if (
                named <= parameters.keys()
                and named.isdisjoint(positional)
                and required <= {*positional, *named}
            ):
                return [*zip(positional, args, strict=True), *kwargs.items()]
        return signature.bind(*args, **kwargs).arguments.items()

    return arguments_of


def check_argument(owner: str, name: str, value: Any, expected: Any) -> None:
    """Raise :class:`ArgumentTypeError` unless ``value`` matches the annotation ``expected``.

    For checks that cannot be a decorator, e.g. the fields of a config model.
    """
    if not _matches(value, expected):
        raise ArgumentTypeError(
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


def warn_unknown_arguments(owner: str, unknown: Mapping[str, object], known: Iterable[str]) -> list[str]:
    """Warn about keywords no SDK v2 signature had, suggesting the nearest real argument.

    SDK v2's estimators swallowed unknown keywords through ``**kwargs``, so a typo such as
    ``metrics_definition=`` silently did nothing there; here it still runs, with a warning
    that names it. The values are never used. Returns the names warned about.
    """
    names = list(unknown)
    if names:
        choices = sorted(set(known))
        described = []
        for name in names:
            nearest = difflib.get_close_matches(name, choices, n=1)
            described.append(f"{name} (did you mean {nearest[0]}?)" if nearest else name)
        warnings.warn(
            f"{owner}: ignoring unknown argument(s) {', '.join(described)}; they have no effect.",
            SageMakerHFWarning,
            stacklevel=_first_caller_outside_package(),
        )
    return names


def _first_caller_outside_package() -> int:
    """The ``stacklevel`` that points a warning at the user's line, past our own frames."""
    package_dir = str(PurePath(__file__).parent.parent)  # sagemaker_hf/, not only _validation/
    frame, level = inspect.currentframe(), 0
    while frame is not None and (level < 2 or frame.f_code.co_filename.startswith(package_dir)):
        frame, level = frame.f_back, level + 1
    return level


def configuration_error(where: str, error: ValidationError) -> ConfigurationError:
    """A pydantic validation error as one readable :class:`ConfigurationError`."""
    problems = []
    for item in error.errors():
        message = item["msg"].removeprefix("Value error, ")
        field = ".".join(str(part) for part in item["loc"])
        problems.append(f"{field}: {message}" if field else message)
    return ConfigurationError(f"{where}: " + " ".join(problems))


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


def _quick_match(value: Any, annotation: Any) -> bool:
    """:func:`_matches`, with ``X | None`` of a plain class answered without typing's introspection
    (the commonest annotation; image-URI resolution checks seven of them per call)."""
    try:
        plain = _OPTIONAL_PLAIN_CLASS.get(annotation, _UNCHECKED)
    except TypeError:  # an unhashable annotation
        plain = _UNCHECKED
    if plain is _UNCHECKED:
        plain = _optional_plain_class(annotation)
        with contextlib.suppress(TypeError):  # an unhashable annotation is simply not cached
            _OPTIONAL_PLAIN_CLASS[annotation] = plain
    if plain is None:
        return _matches(value, annotation)
    return value is None or isinstance(value, plain)


# annotation -> C for annotations ``C | None`` where C is a class checked by isinstance alone, else None
_OPTIONAL_PLAIN_CLASS: dict[Any, Any] = {}


def _optional_plain_class(annotation: Any) -> type | None:
    if typing.get_origin(annotation) not in (typing.Union, types.UnionType):
        return None
    members = [member for member in typing.get_args(annotation) if member is not type(None)]
    if len(members) != 1 or len(typing.get_args(annotation)) != 2:
        return None
    member = members[0]
    simple = isinstance(member, type) and typing.get_origin(member) is None and member not in (int, float)
    return member if simple and not issubclass(member, PurePath) else None


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
