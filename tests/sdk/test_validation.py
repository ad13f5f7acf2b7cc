"""The shared argument checks: annotations enforced, SDK v2 leftovers warned about by name."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Literal

import pytest

from sagemaker_hf._validation import checked_arguments, describe_type, warn_ignored_arguments
from sagemaker_hf.errors import ConfigurationError, SageMakerHFWarning


@checked_arguments("Thing.make")
def make(
    role: str | None = None,
    count: int = 1,
    ratio: float = 0.5,
    flag: bool = False,
    path: str | Path | None = None,
    names: list[str] | None = None,
    env: dict[str, str] | None = None,
    mode: Literal["File", "Pipe"] = "File",
    anything: Any = None,
) -> dict[str, Any]:
    return {"role": role, "count": count, "names": names}


def test_well_typed_arguments_pass_through():
    assert make("r", 2, 1, True, Path("x"), ["a"], {"K": "v"}, "Pipe", object())["count"] == 2
    assert make(names=("a", "b"))["names"] == ("a", "b")


@pytest.mark.parametrize(
    ("arguments", "named", "given", "expected"),
    [
        ({"role": 123}, "role", "int 123", "str or None"),
        ({"count": True}, "count", "bool True", "int"),
        ({"count": "2"}, "count", "str '2'", "int"),
        ({"ratio": "x"}, "ratio", "str 'x'", "float"),
        ({"names": "abc"}, "names", "str 'abc'", "a list of str or None"),
        ({"names": [1]}, "names", "list [1]", "a list of str or None"),
        ({"env": ["A=1"]}, "env", "list ['A=1']", "a dict or None"),
        ({"mode": "Stream"}, "mode", "str 'Stream'", "one of 'File', 'Pipe'"),
    ],
)
def test_a_wrong_type_names_the_argument_the_type_given_and_the_type_expected(
    arguments, named, given, expected
):
    with pytest.raises(ConfigurationError) as caught:
        make(**arguments)
    message = str(caught.value)
    assert f"Thing.make({named}=...)" in message
    assert given in message
    assert expected in message
    assert isinstance(caught.value, ValueError)  # v2 users' `except ValueError` still catches it


def test_an_unknown_keyword_stays_a_type_error_that_names_the_call():
    with pytest.raises(TypeError, match=r"Thing.make\(\).*colour"):
        make(colour="red")


def test_a_long_value_is_cut_in_the_message():
    with pytest.raises(ConfigurationError) as caught:
        make(role=list(range(1000)))
    assert len(str(caught.value)) < 200


def test_describe_type_reads_like_prose():
    assert describe_type(str | None) == "str or None"
    assert describe_type(list[str]) == "a list of str"
    assert describe_type(dict[str, Any]) == "a dict"


def test_ignored_v2_arguments_warn_by_name_and_only_when_given():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        named = warn_ignored_arguments(
            "HuggingFace", {"disable_profiler": True, "rules": None}, "SageMaker Profiler is not supported."
        )
    assert named == ["disable_profiler"]
    assert len(caught) == 1
    assert caught[0].category is SageMakerHFWarning
    assert "disable_profiler" in str(caught[0].message)
    assert "rules" not in str(caught[0].message)
    assert caught[0].filename == __file__  # points at the user's line, past our own frames

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert warn_ignored_arguments("HuggingFace", {"rules": None}, "unused") == []
    assert caught == []
