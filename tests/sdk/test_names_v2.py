"""names.name_from_base as SDK v2's sagemaker.utils.name_from_base, which notebooks use to name endpoints."""

from __future__ import annotations

import re

import pytest

from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.names import name_from_base


def test_v2s_long_and_short_stamps():
    assert re.fullmatch(r"llama-2-\d{4}(-\d{2}){5}-\d{3}", name_from_base("llama-2"))
    assert re.fullmatch(r"llama-2-\d{6}-\d{4}", name_from_base("llama-2", short=True))
    trimmed = name_from_base("x" * 80, max_length=40, short=True)
    assert len(trimmed) == 40 and trimmed.startswith("x" * 28 + "-")


def test_a_wrong_type_is_a_configuration_error():
    with pytest.raises(
        ConfigurationError, match=r"name_from_base\(short=\.\.\.\): got str 'yes'; expected bool"
    ):
        name_from_base("ep", short="yes")
