"""get_huggingface_llm_image_uri gives SDK v2's URI for every backend v2 knows.

Every version of each backend's family (and no version: v2's default), in two regions,
compared with a table recorded from SDK v2 2.257.7 (``llm_backends_v2.json``, always), and
that table with a live v2 when one is installed. Our matrices are newer than v2's: a version
v2's data lacks is not compared (v2 answered another version's image for it), nor the
default of a backend whose newest version v2 lacks.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sagemaker_hf import image_uris
from sagemaker_hf.image_uris import get_huggingface_llm_image_uri
from tests.sdk.sdk_v2_oracle import run_with_sdk_v2

HERE = Path(__file__).resolve().parent
RECORDED = HERE / "llm_backends_v2.json"
# SDK v2 2.257.7's backends (sagemaker/huggingface/llm_utils.py).
V2_BACKENDS = (
    "huggingface",
    "huggingface-neuronx",
    "huggingface-vllm-neuronx",
    "huggingface-tei",
    "huggingface-tei-cpu",
    "lmi",
)
REGIONS = ("us-east-1", "eu-central-1")


def cases() -> list[list]:
    found = []
    for backend in V2_BACKENDS:
        versions = [None, *image_uris.list_versions(image_uris.LLM_BACKENDS[backend], "inference")]
        found += [[backend, region, version] for version in versions for region in REGIONS]
    return found


def key(case: list) -> str:
    return " ".join(str(part) for part in case)


def ask_sdk_v2() -> dict:
    answer = json.loads(run_with_sdk_v2(str(HERE / "v2_llm_backends.py"), json.dumps(cases())))
    table = {key(case): uri for case, uri in zip(cases(), answer["answers"], strict=True)}
    return {"answers": table, "versions": answer["versions"]}


def recorded() -> dict:
    return json.loads(RECORDED.read_text())


def comparable(case: list) -> bool:
    backend, _, version = case
    v2_versions = set(recorded()["versions"][backend])
    ours = set(image_uris.list_versions(image_uris.LLM_BACKENDS[backend], "inference"))
    return version in v2_versions if version is not None else (ours == v2_versions or backend == "lmi")


def test_the_recorded_table_covers_every_case():
    assert sorted(recorded()["answers"]) == sorted(key(case) for case in cases())
    assert sum(comparable(case) for case in cases()) > 100


@pytest.mark.parametrize("backend", V2_BACKENDS)
def test_each_v2_backend_resolves_as_v2(backend):
    mismatches, compared = [], 0
    for case in cases():
        if case[0] != backend or not comparable(case):
            continue
        compared += 1
        expected = recorded()["answers"][key(case)]
        ours = get_huggingface_llm_image_uri(case[0], region=case[1], version=case[2])
        if ours != expected:
            mismatches.append((case, expected, ours))
    assert compared >= len(REGIONS)
    assert mismatches == []


@pytest.mark.slow
def test_the_recorded_table_is_what_v2_answers():
    assert ask_sdk_v2() == recorded()


if __name__ == "__main__":  # re-record: python -m tests.image_uris.test_llm_backends_v2
    RECORDED.write_text(json.dumps(ask_sdk_v2(), indent=1, sort_keys=True) + "\n")
