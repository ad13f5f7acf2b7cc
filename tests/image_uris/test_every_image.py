"""Every image in every JSON file resolves to the URI computed independently from the raw data."""

from __future__ import annotations

import pytest

from sagemaker_hf import image_uris
from tests.image_uris.raw_matrix import cases, family_names, leaves, raw, tag_prefix, uri

# framework="huggingface" reaches these families through its selection rules.
SELECTED_THROUGH_HUGGINGFACE = {
    "huggingface-neuron": {},
    "huggingface-neuronx": {},
    "huggingface-training-compiler": {"training_compiler_config": object()},
}


def test_every_family_file_is_listed():
    assert image_uris.list_frameworks() == family_names()
    assert len(family_names()) == 14


@pytest.mark.parametrize("family", family_names())
def test_every_image_resolves_to_the_expected_uri(family):
    mismatches = []
    count = 0
    for case in cases(family):
        count += 1
        got = image_uris.retrieve(**case.kwargs())
        if got != case.expected:
            mismatches.append((case, got))
    assert count > 0
    assert mismatches[:5] == []


@pytest.mark.parametrize("family", sorted(SELECTED_THROUGH_HUGGINGFACE))
def test_huggingface_framework_selects_the_same_images(family):
    extra = SELECTED_THROUGH_HUGGINGFACE[family]
    mismatches = []
    for case in cases(family):
        got = image_uris.retrieve(**{**case.kwargs(), "framework": "huggingface", **extra})
        if got != case.expected:
            mismatches.append((case, got))
    assert mismatches[:5] == []


FULL_VERSION_TAGS = {"huggingface-neuron", "huggingface-neuronx"}


@pytest.mark.parametrize("family", family_names())
def test_every_alias_resolves_to_its_target(family):
    """Scope aliases and base-framework aliases select the target's image.

    Transformers families tag the versions as typed (the product decision); Neuron
    images carry the full versions; the LLM families' tags come from tag_prefix.
    """
    mismatches = []
    typed_tags = 0
    for case in cases(family):
        scope = raw(family)[case.scope]
        entry = scope["versions"][case.version]
        leaf = dict(leaves(entry))[case.base]
        version_aliases = [a for a, t in scope.get("version_aliases", {}).items() if t == case.version]
        base_aliases = [a for a, t in entry.get("version_aliases", {}).items() if t == case.base]
        for typed_version in [case.version, *version_aliases]:
            for typed_base in [case.base, *base_aliases]:
                expected = case.expected
                if case.base is not None and family not in FULL_VERSION_TAGS:
                    full = tag_prefix(leaf, case.version, case.base)
                    typed = tag_prefix(leaf, typed_version, typed_base)
                    expected = expected.replace(f":{full}-", f":{typed}-")
                    typed_tags += expected != case.expected
                kwargs = {**case.kwargs(), "version": typed_version, "base_framework_version": typed_base}
                got = image_uris.retrieve(**kwargs)
                if got != expected:
                    mismatches.append((kwargs, expected, got))
    assert mismatches[:5] == []
    if family in ("huggingface", "huggingface-training-compiler"):
        assert typed_tags > 0


def test_the_expected_uri_helper_agrees_with_the_reference_example():
    # guards the test's own restatement of the rules
    assert (
        uri(
            "763104351884",
            "us-east-1",
            "huggingface-pytorch-inference",
            ["1.13.1-transformers4.26.0", "cpu", "py39", "ubuntu20.04"],
        )
        == "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:"
        "1.13.1-transformers4.26.0-cpu-py39-ubuntu20.04"
    )
