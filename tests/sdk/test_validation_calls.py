"""checked_arguments matches arguments without Signature.bind in the common call; every other
call still gets bind's TypeError, prefixed with the call's name, and the same checks."""

from __future__ import annotations

import pytest

from sagemaker_hf._validation import checked_arguments
from sagemaker_hf.errors import ArgumentTypeError


@checked_arguments("Thing.make")
def make(name: str, size: int | None = None, *, label: str | None = None) -> tuple:
    return name, size, label


def test_positional_and_keyword_arguments_are_checked_alike():
    assert make("a", 2, label="x") == ("a", 2, "x")
    assert make(name="a", size=None) == ("a", None, None)
    with pytest.raises(ArgumentTypeError, match=r"Thing.make\(size=...\): got str '2'"):
        make("a", "2")
    with pytest.raises(ArgumentTypeError, match=r"Thing.make\(label=...\): got int 3"):
        make("a", label=3)
    with pytest.raises(ArgumentTypeError, match=r"Thing.make\(name=...\): got NoneType"):
        make(None)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: make(), "missing a required argument: 'name'"),
        (lambda: make("a", name="b"), "multiple values for argument 'name'"),
        (lambda: make("a", colour="red"), "unexpected keyword argument 'colour'"),
        (lambda: make("a", 1, "x"), "too many positional arguments"),
    ],
)
def test_bad_calls_are_binds_type_errors_named_by_the_call(call, message):
    with pytest.raises(TypeError, match=rf"^Thing.make\(\): .*{message}"):
        call()
