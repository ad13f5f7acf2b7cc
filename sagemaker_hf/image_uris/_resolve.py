"""Resolution of one image URI from the version matrix: the rules of SDK v2, as tables.

The public entry points are in :mod:`sagemaker_hf.image_uris`; this module holds the
steps (family, scope, version, base framework, py_version, processor, region, tag).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from sagemaker_hf.errors import ConfigurationError, UnsupportedValueError
from sagemaker_hf.image_uris import _hints as hints
from sagemaker_hf.image_uris._matrix import (
    NEURON_PROCESSORS,
    BaseFrameworkTable,
    ImageLeaf,
    MatrixStore,
    ScopeMatrix,
    container_version_for,
    iter_leaves,
    scope_processors,
    version_sort_key,
)

# Longest prefix first; every other region (commercial, GovCloud) is on amazonaws.com.
_DNS_SUFFIX_BY_REGION_PREFIX = (
    ("us-isob-", "sc2s.sgov.gov"),
    ("us-isof-", "csp.hci.ic.gov"),
    ("us-iso-", "c2s.ic.gov"),
    ("eu-isoe-", "cloud.adc-e.uk"),
    ("eusc-", "amazonaws.eu"),
    ("cn-", "amazonaws.com.cn"),
)
_DEFAULT_DNS_SUFFIX = "amazonaws.com"

# Neuron images name the Neuron tool where other tags say cpu/gpu.
_NEURON_TOOL_BY_FAMILY = {
    "huggingface-neuron": "neuron",
    "huggingface-neuronx": "neuronx",
    "huggingface-llm-neuronx": "neuronx",
    "huggingface-vllm-neuronx": "neuronx",
}
# Which Neuron generation an instance family needs.
_NEURON_TOOL_BY_INSTANCE_PREFIX = (("inf1", "neuron"), ("inf2", "neuronx"), ("trn", "neuronx"))
_COMPILER_FAMILY = "huggingface-training-compiler"
_FULL_VERSION_TAG_FAMILIES = frozenset({"huggingface-neuron", "huggingface-neuronx"})

_LOCAL_PROCESSORS = {"local": "cpu", "local_gpu": "gpu", "local-gpu": "gpu"}
_PROCESSOR_BY_INSTANCE_PREFIX = (("inf", "inf"), ("trn", "trn"), ("g", "gpu"), ("p", "gpu"))
_INSTANCE_TYPE = re.compile(r"^ml[._]([a-z\d-]+)(?:\.\w+)?$")
_BASE_FRAMEWORK = re.compile(r"^(pytorch|tensorflow)(.+)$")

# What a family's `version` counts, for messages.
_VERSION_NOUN = {
    "huggingface-llm": "TGI version",
    "huggingface-llm-neuronx": "TGI Neuronx version",
    "huggingface-tei": "TEI version",
    "huggingface-tei-cpu": "TEI version",
    "huggingface-vllm": "vLLM image version",
    "huggingface-vllm-neuronx": "vLLM Neuronx image version",
    "huggingface-vllm-omni": "vLLM-Omni version",
    "huggingface-sglang": "SGLang version",
    "huggingface-llamacpp": "llama.cpp build",
}
# Where to go when a family does not offer the instance's processor.
_OTHER_FAMILY_HINT = {
    ("huggingface-llm", "inf"): "huggingface-llm-neuronx",
    ("huggingface-vllm", "inf"): "huggingface-vllm-neuronx",
    ("huggingface-vllm", "trn"): "huggingface-vllm-neuronx",
    ("huggingface-tei", "cpu"): "huggingface-tei-cpu",
    ("huggingface-tei-cpu", "gpu"): "huggingface-tei",
}


def _unsupported(message: str, nearest: list[str] | None = None) -> UnsupportedValueError:
    return UnsupportedValueError(hints.with_nearest(message, nearest or []))


def dns_suffix(region: str) -> str:
    """The DNS suffix of a region's partition (``amazonaws.com.cn`` for ``cn-north-1``)."""
    for prefix, suffix in _DNS_SUFFIX_BY_REGION_PREFIX:
        if region.startswith(prefix):
            return suffix
    return _DEFAULT_DNS_SUFFIX


def _instance_family(instance_type: str) -> str:
    match = _INSTANCE_TYPE.match(instance_type)
    if match is None:
        raise UnsupportedValueError(
            f"Unsupported instance_type {instance_type!r}: expected 'ml.<family>.<size>' "
            "(for example 'ml.g5.xlarge'), or 'local' / 'local_gpu' for local mode."
        )
    return match[1]


def _neuron_tool_for_instance(instance_type: str | None) -> str | None:
    if not instance_type or instance_type in _LOCAL_PROCESSORS:
        return None
    family = _instance_family(instance_type)
    return next((tool for prefix, tool in _NEURON_TOOL_BY_INSTANCE_PREFIX if family.startswith(prefix)), None)


def _processor_for_instance(instance_type: str, offered: tuple[str, ...]) -> str:
    if instance_type in _LOCAL_PROCESSORS:
        return _LOCAL_PROCESSORS[instance_type]
    family = _instance_family(instance_type)
    if family in offered:
        return family
    return next((proc for prefix, proc in _PROCESSOR_BY_INSTANCE_PREFIX if family.startswith(prefix)), "cpu")


def _select_family(
    framework: str, instance_type: str | None, compiler: bool, inference_tool: str | None
) -> tuple[str, str | None]:
    """The family to read, and why it differs from ``framework`` (None when it does not)."""
    if inference_tool not in (None, "neuron", "neuronx"):
        raise _unsupported(f"Unsupported inference_tool {inference_tool!r}. Supported: neuron, neuronx.")
    if compiler:
        if framework not in ("huggingface", _COMPILER_FAMILY):
            raise ConfigurationError(
                f"training_compiler_config applies to framework 'huggingface' only, not {framework!r}."
            )
        return _COMPILER_FAMILY, "training_compiler_config" if framework != _COMPILER_FAMILY else None
    if framework == "huggingface":
        if inference_tool:
            return f"huggingface-{inference_tool}", f"inference_tool={inference_tool!r}"
        tool = _neuron_tool_for_instance(instance_type)
        if tool:
            return f"huggingface-{tool}", f"instance_type {instance_type!r}"
        return framework, None
    if inference_tool and inference_tool != _NEURON_TOOL_BY_FAMILY.get(framework):
        raise ConfigurationError(
            f"inference_tool={inference_tool!r} does not apply to framework {framework!r}; "
            "omit it (it selects the Neuron images of framework 'huggingface')."
        )
    return framework, None


def _select_scope(matrix: dict[str, ScopeMatrix], family: str, image_scope: str | None) -> str:
    if image_scope is None:
        if len(matrix) == 1:
            return next(iter(matrix))
        raise _unsupported(
            f"image_scope is required for framework {family!r}, which has several scopes: "
            f"{hints.listing(sorted(matrix))}."
        )
    if image_scope not in matrix:
        raise _unsupported(
            f"Unsupported image_scope {image_scope!r} for framework {family!r}. "
            f"Supported: {hints.listing(sorted(matrix))}.",
            hints.nearest_names(image_scope, matrix),
        )
    return image_scope


def _sorted_versions(scope: ScopeMatrix) -> list[str]:
    return sorted(scope.versions, key=version_sort_key)


def _resolve_version(scope: ScopeMatrix, family: str, scope_name: str, version: str | None) -> str:
    if version is None or version == "latest":
        return scope.version_aliases.get("latest") or _sorted_versions(scope)[-1]
    if version in scope.versions:
        return version
    if version in scope.version_aliases:
        return scope.version_aliases[version]
    noun = _VERSION_NOUN.get(family, "transformers version")
    raise _unsupported(
        f"Unsupported version {version!r} ({noun}) for {family} {scope_name} images. "
        f"Supported versions: {hints.listing(_sorted_versions(scope))}.",
        hints.nearest_versions(version, scope.versions),
    )


def _resolve_base_framework(
    scope: ScopeMatrix, entry: BaseFrameworkTable, described: str, requested: str | None
) -> str:
    offered = sorted(entry.frameworks)
    if requested is None:
        if len(offered) == 1:
            return offered[0]
        raise _unsupported(
            f"base_framework_version is required: {described} exists for "
            f"{hints.listing(offered)} (pass for example pytorch_version / base_framework_version)."
        )
    resolved = entry.version_aliases.get(requested, requested)
    if resolved in entry.frameworks:
        return resolved
    elsewhere = [
        v
        for v, other in scope.versions.items()
        if isinstance(other, BaseFrameworkTable)
        and other.version_aliases.get(requested, requested) in other.frameworks
    ]
    message = (
        f"Unsupported base_framework_version {requested!r} for {described}. "
        f"Supported: {hints.listing(offered)}."
    )
    if elsewhere:
        versions = hints.listing(sorted(elsewhere, key=version_sort_key))
        message += f" {requested} is offered with versions {versions}."
    raise _unsupported(message, hints.nearest_base_frameworks(resolved, offered))


def _resolve_py_version(leaf: ImageLeaf, described: str, py_version: str | None) -> str | None:
    offered = list(leaf.py_versions)
    if py_version == "py2":
        raise _unsupported(
            f"Unsupported py_version 'py2': Python 2 is not supported. {described} offers: "
            f"{hints.listing(offered)}."
        )
    if not offered:
        if py_version is not None:
            raise _unsupported(
                f"Unsupported py_version {py_version!r}: {described} images carry no Python version; "
                "omit py_version."
            )
        return None
    if py_version is None:
        if len(offered) == 1:
            return offered[0]
        raise _unsupported(f"py_version is required: {described} offers {hints.listing(offered)}.")
    if py_version not in offered:
        raise _unsupported(
            f"Unsupported py_version {py_version!r} for {described}. Supported: {hints.listing(offered)}."
        )
    return py_version


def _resolve_processor(
    family: str,
    scope: ScopeMatrix,
    leaf: ImageLeaf,
    described: str,
    instance_type: str | None,
    serverless: bool,
) -> str | None:
    offered = scope_processors(scope, leaf)
    if not offered:
        return None
    if serverless:
        wanted, source = "cpu", "serverless inference (always cpu)"
    elif instance_type is None:
        if len(offered) == 1:
            return offered[0]
        raise _unsupported(
            f"instance_type is required: {described} exists for processors {hints.listing(offered)} "
            "(for example 'ml.m5.xlarge' for cpu, 'ml.g5.xlarge' for gpu)."
        )
    else:
        wanted, source = _processor_for_instance(instance_type, offered), f"instance_type {instance_type!r}"
    if wanted in offered:
        return wanted
    family_tool = _NEURON_TOOL_BY_FAMILY.get(family)
    neuron_offered = [p for p in offered if p in NEURON_PROCESSORS]
    if family_tool and wanted in NEURON_PROCESSORS and len(neuron_offered) == 1:
        instance_tool = _neuron_tool_for_instance(instance_type)
        if instance_tool in (None, family_tool):
            return neuron_offered[0]
        raise _unsupported(
            f"Unsupported instance_type {instance_type!r} for {described}: it needs {instance_tool} "
            f"images, and {family} holds {family_tool} images."
        )
    message = (
        f"Unsupported processor {wanted!r} (from {source}) for {described}. "
        f"Supported processors: {hints.listing(offered)}."
    )
    other_family = _OTHER_FAMILY_HINT.get((family, wanted))
    if other_family:
        message += f" Use framework {other_family!r} for {wanted}."
    raise _unsupported(message)


def _account_for(
    scope: ScopeMatrix, scope_label: str, leaf: ImageLeaf, described: str, region: str | None
) -> str:
    regions = hints.listing(sorted(leaf.registries))
    if not region:
        raise _unsupported(
            f"region is required (for example 'us-east-1'); {described} is available in: {regions}."
        )
    if region in leaf.registries:
        return leaf.registries[region]
    message = f"Unsupported region {region!r} for {described}. That image is available in: {regions}."
    in_region = sorted(
        {v for v, _, other in iter_leaves(scope) if region in other.registries}, key=version_sort_key
    )
    if in_region:
        raise _unsupported(
            f"{message} In {region}, {scope_label} images exist for versions {hints.listing(in_region)}."
        )
    raise _unsupported(
        f"{message} No {scope_label} image is published in {region}.",
        hints.nearest_names(region, leaf.registries),
    )


def _newest_sdk(sdk_versions: tuple[str, ...]) -> str:
    return max(sdk_versions, key=lambda sdk: version_sort_key(sdk.removeprefix("sdk")))


class ImageRequest(NamedTuple):
    """The arguments of one image lookup (those of ``image_uris.retrieve``)."""

    framework: str
    region: str | None
    version: str | None = None
    py_version: str | None = None
    instance_type: str | None = None
    image_scope: str | None = None
    base_framework_version: str | None = None
    container_version: str | None = None
    compiler: bool = False
    inference_tool: str | None = None
    serverless: bool = False


def resolve_uri(store: MatrixStore, request: ImageRequest) -> str:
    """The image URI for ``request``, from the families in ``store``."""
    if request.version is not None:
        request = request._replace(version=str(request.version))
    family, reason = _select_family(
        request.framework, request.instance_type, request.compiler, request.inference_tool
    )
    try:
        return _resolve_in_family(store, family, request)
    except UnsupportedValueError as exc:
        if reason is None:
            raise
        raise UnsupportedValueError(f"{exc} ({reason} selected framework {family!r}.)") from None


def _resolve_in_family(store: MatrixStore, family: str, request: ImageRequest) -> str:
    matrix = store.family(family).root
    scope_name = _select_scope(matrix, family, request.image_scope)
    scope = matrix[scope_name]
    full_version = _resolve_version(scope, family, scope_name, request.version)
    entry = scope.versions[full_version]
    described = f"{family} {scope_name} {full_version}"
    if isinstance(entry, BaseFrameworkTable):
        full_base = _resolve_base_framework(scope, entry, described, request.base_framework_version)
        leaf = entry.frameworks[full_base]
        described += f" ({full_base})"
    elif request.base_framework_version is not None:
        raise _unsupported(
            f"Unsupported base_framework_version {request.base_framework_version!r}: {family} images "
            "have no base-framework level; omit it."
        )
    else:
        full_base, leaf = None, entry

    py = _resolve_py_version(leaf, described, request.py_version)
    processor = _resolve_processor(family, scope, leaf, described, request.instance_type, request.serverless)
    account = _account_for(scope, f"{family} {scope_name}", leaf, described, request.region)

    container_version = request.container_version
    if container_version is None and processor is not None:
        container_version = container_version_for(scope, leaf, processor)
        if container_version and leaf.sdk_versions:
            container_version = f"{_newest_sdk(leaf.sdk_versions)}-{container_version}"

    if full_base is None:
        prefix = leaf.tag_prefix or full_version
    elif family in _FULL_VERSION_TAG_FAMILIES:
        prefix = f"{_BASE_FRAMEWORK.match(full_base)[2]}-transformers{full_version}"
    else:  # the versions as typed: see the product decision in image_uris' docstring
        typed_base = request.base_framework_version or full_base
        typed_version = full_version if request.version in (None, "latest") else request.version
        prefix = f"{_BASE_FRAMEWORK.match(typed_base)[2]}-transformers{typed_version}"
    processor_token = _NEURON_TOOL_BY_FAMILY.get(family, processor) if leaf.processor_in_tag else None
    tag = "-".join(part for part in (prefix, processor_token, py, container_version) if part)
    region = request.region
    return f"{account}.dkr.ecr.{region}.{dns_suffix(region)}/{leaf.repository}:{tag}"
