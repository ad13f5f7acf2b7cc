"""Every numbered example runs in CI as users run it, in local mode or against the moto server.

The examples are discovered (``examples/NN_*.py``): one without a case in ``LOCAL_CASES`` or
``AWS_CASES`` fails ``test_every_numbered_example_has_a_mode``, so a new example cannot be
forgotten. Local examples share the session's tiny models and the module's local home (no
endpoint may be left behind); AWS examples reach the shared moto server through
``AWS_ENDPOINT_URL`` alone, with a role in ``SAGEMAKER_ROLE``, as a user's configuration would.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.examples.aws_cases import AWS_CASES
from tests.examples.local_cases import LOCAL_CASES
from tests.examples.runner import ExampleContext, numbered_examples


def test_every_numbered_example_has_a_mode() -> None:
    examples = set(numbered_examples())
    assert len(examples) >= 18
    assert not set(LOCAL_CASES) & set(AWS_CASES), "an example runs in one mode"
    missing = sorted(examples - set(LOCAL_CASES) - set(AWS_CASES))
    assert not missing, f"numbered examples with no case in tests/examples (local or aws): {missing}"
    gone = sorted((set(LOCAL_CASES) | set(AWS_CASES)) - examples)
    assert not gone, f"cases for examples that do not exist: {gone}"


def test_the_numbering_covers_the_eighteen_notebooks() -> None:
    numbers = sorted(int(name[:2]) for name in numbered_examples())
    assert numbers == list(range(1, 19))


@pytest.mark.slow
@pytest.mark.parametrize("example", sorted(LOCAL_CASES))
def test_local_example(example: str, local_home: Path, example_context: ExampleContext) -> None:
    from sagemaker_hf.local.registry import EndpointRecord, Registry

    LOCAL_CASES[example](example_context)
    assert Registry(local_home / "registry").names(EndpointRecord) == [], "the example left an endpoint"


@pytest.mark.parametrize("example", sorted(AWS_CASES))
def test_aws_example(example: str, example_context: ExampleContext) -> None:
    AWS_CASES[example](example_context)
