"""Expected image URIs computed straight from the raw JSON, independently of the resolver.

The tests compare ``retrieve`` with these. The rules are restated here from the
reference (SOURCE.md) rather than imported, so a resolver bug cannot hide in both places.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[2] / "image_uris"

SUFFIXES = {
    "cn-": "amazonaws.com.cn",
    "us-iso-": "c2s.ic.gov",
    "us-isob-": "sc2s.sgov.gov",
    "us-isof-": "csp.hci.ic.gov",
    "eu-isoe-": "cloud.adc-e.uk",
    "eusc-": "amazonaws.eu",
}
# The tag names the Neuron tool, not the processor, for these families.
NEURON_TAG = {
    "huggingface-neuron": "neuron",
    "huggingface-neuronx": "neuronx",
    "huggingface-llm-neuronx": "neuronx",
    "huggingface-vllm-neuronx": "neuronx",
}
INSTANCE_FOR_PROCESSOR = {
    "cpu": "ml.m5.xlarge",
    "gpu": "ml.g5.xlarge",
    "inf2": "ml.inf2.xlarge",
    "trn": "ml.trn1.2xlarge",
    "neuronx": "ml.inf2.xlarge",
}


def suffix(region: str) -> str:
    matches = [prefix for prefix in SUFFIXES if region.startswith(prefix)]
    return SUFFIXES[max(matches, key=len)] if matches else "amazonaws.com"


def instance_for(family: str, processor: str | None) -> str | None:
    if processor is None:  # a family without processors (DJL): its tag names none
        return None
    if processor == "inf":
        return "ml.inf1.xlarge" if family == "huggingface-neuron" else "ml.inf2.xlarge"
    return INSTANCE_FOR_PROCESSOR[processor]


def family_names() -> list[str]:
    # _serving_apis.json is data about the families, not one
    return sorted(path.stem for path in DATA_DIR.glob("*.json") if not path.name.startswith("_"))


@cache
def raw(family: str) -> dict:
    data = json.loads((DATA_DIR / f"{family}.json").read_text())
    if isinstance(data.get("scope"), list):  # DJL's layout: one table for the scopes listed
        table = {key: value for key, value in data.items() if key != "scope"}
        return {scope: table for scope in data["scope"]}
    return data


def leaves(entry: dict) -> list[tuple[str | None, dict]]:
    if "repository" in entry:
        return [(None, entry)]
    return [(key, leaf) for key, leaf in entry.items() if key != "version_aliases"]


def _newest_sdk(sdks: list[str]) -> str:
    return max(sdks, key=lambda s: tuple(int(p) for p in s[3:].split(".")))


def _container(family: str, leaf: dict, processor: str) -> str | None:
    versions = leaf.get("container_version", {})
    value = versions.get(processor)
    if value is None and family in NEURON_TAG and len(versions) == 1:
        value = next(iter(versions.values()))  # neuronx training keys it "inf" for "trn"
    if value and leaf.get("sdk_versions"):
        value = f"{_newest_sdk(leaf['sdk_versions'])}-{value}"
    return value


def tag_prefix(leaf: dict, version: str, base: str | None) -> str:
    if base is None:
        return leaf.get("tag_prefix", version)
    framework_version = base.removeprefix("pytorch").removeprefix("tensorflow")
    return f"{framework_version}-transformers{version}"


@dataclass(frozen=True)
class Case:
    family: str
    scope: str
    version: str
    base: str | None
    processor: str | None
    py_version: str | None
    region: str
    expected: str

    def kwargs(self) -> dict:
        return {
            "framework": self.family,
            "region": self.region,
            "version": self.version,
            "py_version": self.py_version,
            "instance_type": instance_for(self.family, self.processor),
            "image_scope": self.scope,
            "base_framework_version": self.base,
        }


def uri(account: str, region: str, repository: str, parts: list[str | None]) -> str:
    tag = "-".join(p for p in parts if p)
    return f"{account}.dkr.ecr.{region}.{suffix(region)}/{repository}:{tag}"


def cases(family: str) -> Iterator[Case]:
    """Every (scope, version, base framework, processor, py_version, region) of a file."""
    for scope, scope_data in raw(family).items():
        for version, entry in scope_data["versions"].items():
            for base, leaf in leaves(entry):
                processors = scope_data.get("processors") or list(leaf.get("container_version", {})) or [None]
                for processor in processors:
                    token = NEURON_TAG.get(family, processor)
                    container = _container(family, leaf, processor)
                    for py_version in leaf.get("py_versions") or [None]:
                        prefix = tag_prefix(leaf, version, base)
                        for region, account in leaf["registries"].items():
                            expected = uri(
                                account, region, leaf["repository"], [prefix, token, py_version, container]
                            )
                            yield Case(family, scope, version, base, processor, py_version, region, expected)
