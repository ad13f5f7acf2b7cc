"""Hugging Face Deep Learning Container image URIs, resolved from the JSON version matrices.

``retrieve()`` keeps the SageMaker SDK's signature and rules, so existing calls give the
same URIs::

    retrieve("huggingface", region="us-east-1", version="4.26.0",
             base_framework_version="pytorch1.13.1", image_scope="inference",
             instance_type="ml.m5.xlarge", py_version="py39")
    # 763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:
    #     1.13.1-transformers4.26.0-cpu-py39-ubuntu20.04

**Tags use the versions as the caller typed them** (a product decision: SDK v2 did the
same, and notebooks depend on the exact strings). ``version="4.26"`` with
``base_framework_version="pytorch1.13"`` selects the 4.26.0 / 1.13.1 image through the
aliases, and tags it ``1.13-transformers4.26-cpu-py39-ubuntu20.04``; full versions give
full tags. Neuron images always carry the full versions (as in v2). The LLM-serving
families (TGI, TEI, vLLM, SGLang, llama.cpp) take their tag from the data's ``tag_prefix``.

Other rules, as in SDK v2: ``training_compiler_config`` selects the Training Compiler
images; ``inference_tool`` or an ``ml.inf1`` (Neuron) / ``ml.inf2``, ``ml.trn*`` (Neuronx)
instance selects the Neuron images of framework ``huggingface``; ``local`` is cpu and
``local_gpu`` (or ``local-gpu``) gpu; ``ml.g*``/``ml.p*`` are gpu; serverless is cpu;
``py2`` is always refused; Neuron tags end in ``<newest sdk>-<container version>``.

Nothing is read at import and nothing here talks to AWS (or imports boto3): each family's
JSON is parsed on first use, once per process, and each partition's DNS suffix comes
from a small table. Bad arguments raise :class:`~sagemaker_hf.errors.UnsupportedValueError`
naming the argument, the value, what is supported and the nearest supported values.

How to add an image family
--------------------------
1. Put its JSON, in the upstream schema, in the repository's ``image_uris/`` as
   ``huggingface-<name>.json`` (the wheel ships the folder as ``image_uri_config/``): every
   file there is a family (``retrieve``, ``sagemaker-hf images``; ``_matrix.py`` validates it),
   and its API goes in ``_serving_apis.json`` (what local mode serves for its images).
2. Only when it differs from the families there: an LLM-serving family that
   ``get_huggingface_llm_image_uri(backend)`` should reach gets a row in
   :data:`LLM_BACKENDS` (this module); in ``_resolve.py``, a family whose ``version`` is not a
   transformers version gets a row in ``_VERSION_NOUN`` (for messages), a Neuron family one
   in ``_NEURON_TOOL_BY_FAMILY`` (and ``_FULL_VERSION_TAG_FAMILIES`` if its tags carry full
   versions).
3. ``pytest tests/image_uris``: ``test_every_image.py`` resolves every image of every family.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from sagemaker_hf._validation import checked_arguments
from sagemaker_hf.errors import ConfigurationError, UnsupportedValueError
from sagemaker_hf.image_uris import _hints as hints
from sagemaker_hf.image_uris._matrix import (
    BaseFrameworkTable,
    default_store,
    iter_leaves,
    scope_processors,
    version_sort_key,
)
from sagemaker_hf.image_uris._resolve import ImageRequest, dns_suffix, resolve_uri

__all__ = [
    "LLM_BACKENDS",
    "ImageSummary",
    "ImageTag",
    "dns_suffix",
    "get_huggingface_llm_image_uri",
    "huggingface_image_uri",
    "list_frameworks",
    "list_images",
    "list_scopes",
    "list_versions",
    "parse_image_tag",
    "retrieve",
]

# get_huggingface_llm_image_uri's backends: SDK v2's, the newer images, the TGI family names.
LLM_BACKENDS = {
    "huggingface": "huggingface-llm",
    "huggingface-neuronx": "huggingface-llm-neuronx",
    "huggingface-tei": "huggingface-tei",
    "huggingface-tei-cpu": "huggingface-tei-cpu",
    "huggingface-vllm": "huggingface-vllm",
    "huggingface-vllm-neuronx": "huggingface-vllm-neuronx",
    "huggingface-vllm-omni": "huggingface-vllm-omni",
    "huggingface-sglang": "huggingface-sglang",
    "huggingface-llamacpp": "huggingface-llamacpp",
    "huggingface-llm": "huggingface-llm",
    "huggingface-llm-neuronx": "huggingface-llm-neuronx",
    "lmi": "djl-deepspeed",  # DJL's Large Model Inference image, as SDK v2 resolved it
}
_BACKEND_DEFAULT_VERSIONS = {"lmi": "0.24.0"}  # SDK v2's version for "lmi" (not the newest)


@checked_arguments("image_uris.retrieve")
def retrieve(
    framework: str,
    region: str | None,
    version: str | None = None,
    py_version: str | None = None,
    instance_type: str | None = None,
    image_scope: str | None = None,
    base_framework_version: str | None = None,
    container_version: str | None = None,
    training_compiler_config: object | None = None,
    inference_tool: str | None = None,
    serverless_inference_config: object | None = None,
) -> str:
    """The ECR image URI of a Hugging Face image, with the SageMaker SDK's signature.

    Args:
        framework: an image family (see :func:`list_frameworks`): ``huggingface``,
            ``huggingface-llm``, ``huggingface-tei``, ...
        region: the AWS region; every partition (China, GovCloud, ISO, EUSC) works.
        version: the transformers version (or the TGI/TEI/vLLM/... version); aliases such
            as ``"4.26"`` work. Omitted: the newest.
        py_version: ``py39``, ``py310``, ...; may be omitted when the image has one.
        instance_type: ``ml.g5.xlarge`` (gpu), ``ml.m5.xlarge`` (cpu), ``local``,
            ``local_gpu``, ``ml.inf2.xlarge``, ...; optional when the image has one processor.
        image_scope: ``training`` or ``inference``; optional when the family has one.
        base_framework_version: ``pytorch1.13``, ``pytorch1.13.1``, ``tensorflow2.11``, ...
        container_version: replaces the tag's trailing container part, verbatim.
        training_compiler_config: anything but None selects the Training Compiler images.
        inference_tool: ``neuron`` or ``neuronx`` (selects the Neuron images).
        serverless_inference_config: anything but None means a serverless endpoint (cpu).
    """
    request = ImageRequest(
        framework=framework,
        region=region,
        version=version,
        py_version=py_version,
        instance_type=instance_type,
        image_scope=image_scope,
        base_framework_version=base_framework_version,
        container_version=container_version,
        compiler=training_compiler_config is not None,
        inference_tool=inference_tool,
        serverless=serverless_inference_config is not None,
    )
    return resolve_uri(default_store(), request)


@checked_arguments("image_uris.huggingface_image_uri")
def huggingface_image_uri(
    region: str,
    transformers_version: str,
    pytorch_version: str | None = None,
    tensorflow_version: str | None = None,
    py_version: str | None = None,
    instance_type: str | None = None,
    scope: str = "inference",
    serverless: bool = False,
    compiler: bool = False,
    inference_tool: str | None = None,
) -> str:
    """The image of a ``HuggingFaceModel`` / ``HuggingFace`` estimator from its arguments.

    Builds ``base_framework_version`` from whichever of ``pytorch_version`` /
    ``tensorflow_version`` is given (both is an error; neither works when the
    transformers version has a single base framework) and lets :func:`retrieve` pick the
    family: Training Compiler (``compiler``), Neuron (``inference_tool`` or an inf/trn
    instance) or the plain images.
    """
    if pytorch_version is not None and tensorflow_version is not None:
        raise ConfigurationError(
            f"pass one of pytorch_version ({pytorch_version!r}) and tensorflow_version "
            f"({tensorflow_version!r}), not both: an image holds one framework."
        )
    if pytorch_version is not None:
        base_framework_version = f"pytorch{pytorch_version}"
    elif tensorflow_version is not None:
        base_framework_version = f"tensorflow{tensorflow_version}"
    else:
        base_framework_version = None
    request = ImageRequest(
        framework="huggingface",
        region=region,
        version=transformers_version,
        py_version=py_version,
        instance_type=instance_type,
        image_scope=scope,
        base_framework_version=base_framework_version,
        compiler=compiler,
        inference_tool=inference_tool,
        serverless=serverless,
    )
    return resolve_uri(default_store(), request)


@checked_arguments("get_huggingface_llm_image_uri")
def get_huggingface_llm_image_uri(
    backend: str,
    session: object | None = None,
    region: str | None = None,
    version: str | None = None,
    instance_type: str | None = None,
) -> str:
    """The image of an LLM-serving container, as in SDK v2 (and the newer backends).

    Args:
        backend: ``huggingface`` (TGI), ``huggingface-neuronx`` (TGI on Inferentia 2),
            ``huggingface-tei``, ``huggingface-tei-cpu``, ``huggingface-vllm``,
            ``huggingface-vllm-neuronx``, ``huggingface-vllm-omni``, ``huggingface-sglang``,
            ``huggingface-llamacpp``, or ``lmi`` (DJL DeepSpeed, 0.24.0 by default as in v2).
        session: anything with a ``boto_region_name`` (a ``sagemaker_hf.Session``); used
            for the region when ``region`` is not given.
        region: the AWS region; by default the session's, else the configured one (a
            default ``Session``'s, as in SDK v2).
        version: the backend's version or alias (``"3.3"``); omitted, the newest.
        instance_type: needed only where a backend has both cpu and gpu images (llama.cpp).
    """
    family = LLM_BACKENDS.get(backend)
    if family is None:
        raise UnsupportedValueError(
            hints.with_nearest(
                f"Unsupported backend {backend!r}. Supported backends: {hints.listing(LLM_BACKENDS)}.",
                hints.nearest_names(backend, LLM_BACKENDS),
            )
        )
    if not region:
        region = _session_region(session)
    version = version or _BACKEND_DEFAULT_VERSIONS.get(backend)
    return retrieve(
        family, region=region, version=version, image_scope="inference", instance_type=instance_type
    )


def _session_region(session: object | None) -> str:
    """The region of ``session``, else of a default ``Session`` (as SDK v2 did); boto3 is
    imported only here, so a call that names its region stays instant."""
    if session is None:
        from sagemaker_hf.session import Session

        session = Session()  # raises, saying how to configure one, when no region is set
    region = getattr(session, "boto_region_name", None) or getattr(
        getattr(session, "boto_session", None), "region_name", None
    )
    if not region:
        raise UnsupportedValueError(
            "region is required: pass region='us-east-1' (for example) or a session that has a region."
        )
    return region


class ImageSummary(NamedTuple):
    """One image of the matrix, for listings."""

    scope: str
    version: str
    version_aliases: tuple[str, ...]
    base_framework: str | None
    base_framework_aliases: tuple[str, ...]
    processors: tuple[str, ...]
    py_versions: tuple[str, ...]
    regions: tuple[str, ...]
    repository: str


def list_frameworks() -> list[str]:
    """The image families ``retrieve`` accepts as ``framework``."""
    return list(default_store().family_names())


@checked_arguments("image_uris.list_scopes")
def list_scopes(framework: str) -> list[str]:
    """The scopes of a family (``training``, ``inference``)."""
    return sorted(default_store().family(framework).root)


def _scopes(framework: str, image_scope: str | None):
    matrix = default_store().family(framework).root
    if image_scope is None:
        return sorted(matrix.items())
    if image_scope not in matrix:
        raise UnsupportedValueError(
            f"Unsupported image_scope {image_scope!r} for framework {framework!r}. "
            f"Supported: {hints.listing(sorted(matrix))}."
        )
    return [(image_scope, matrix[image_scope])]


@checked_arguments("image_uris.list_versions")
def list_versions(framework: str, image_scope: str | None = None) -> list[str]:
    """The versions of a family (of one scope, or of all), oldest first; aliases excluded."""
    versions = {v for _, scope in _scopes(framework, image_scope) for v in scope.versions}
    return sorted(versions, key=version_sort_key)


@checked_arguments("image_uris.list_images")
def list_images(
    framework: str, image_scope: str | None = None, version: str | None = None
) -> list[ImageSummary]:
    """Every image of a family (of one scope, or of all), oldest version first.

    ``version`` (or an alias of it) keeps that version's images only.
    """
    summaries = []
    for scope_name, scope in _scopes(framework, image_scope):
        wanted = None if version is None else scope.version_aliases.get(version, version)
        for leaf_version, base_framework, leaf in iter_leaves(scope):
            if wanted is not None and leaf_version != wanted:
                continue
            entry = scope.versions[leaf_version]
            base_aliases = entry.version_aliases if isinstance(entry, BaseFrameworkTable) else {}
            summaries.append(
                ImageSummary(
                    scope=scope_name,
                    version=leaf_version,
                    version_aliases=tuple(a for a, t in scope.version_aliases.items() if t == leaf_version),
                    base_framework=base_framework,
                    base_framework_aliases=tuple(a for a, t in base_aliases.items() if t == base_framework),
                    processors=scope_processors(scope, leaf),
                    py_versions=leaf.py_versions,
                    regions=tuple(sorted(leaf.registries)),
                    repository=leaf.repository,
                )
            )
    if version is not None and not summaries:
        known = list_versions(framework, image_scope)
        raise UnsupportedValueError(
            hints.with_nearest(
                f"Unsupported version {version!r} for {framework}. "
                f"Supported versions: {hints.listing(known)}.",
                hints.nearest_versions(version, known),
            )
        )
    return sorted(summaries, key=lambda s: (s.scope, version_sort_key(s.version), s.base_framework or ""))


class ImageTag(NamedTuple):
    """What a Hugging Face DLC image tag says (what an estimator's ``attach()`` needs)."""

    framework: str  # pytorch or tensorflow
    framework_version: str
    transformers_version: str
    processor: str  # cpu, gpu, neuron or neuronx
    py_version: str


_HF_REPOSITORY = re.compile(
    r"^huggingface-(pytorch|tensorflow)(?:-trcomp)?-(?:training|inference)(?:-neuronx?)?$"
)
# SDK v2's `^(.*)-transformers(.*)-(cpu|gpu)-(py2|py3\d*)$`, applied to the part of the tag
# before the container version, widened to the Neuron tool names.
_HF_TAG = re.compile(r"^(.+?)-transformers(.+?)-(cpu|gpu|neuronx?)-(py2|py3\d*)(?:-.+)?$")


@checked_arguments("image_uris.parse_image_tag")
def parse_image_tag(image_uri: str) -> ImageTag | None:
    """Parse a Hugging Face DLC image URI; None when it is not one (a custom image)."""
    repository, _, tag = image_uri.rsplit("/", 1)[-1].partition(":")
    repo_match = _HF_REPOSITORY.match(repository)
    tag_match = _HF_TAG.match(tag)
    if repo_match is None or tag_match is None:
        return None
    framework_version, transformers_version, processor, py_version = tag_match.groups()
    return ImageTag(repo_match[1], framework_version, transformers_version, processor, py_version)


_VERSIONS_EXAMPLE = "transformers_version='4.26', pytorch_version='1.13', py_version='py39'"


def check_image_versions(
    owner: str,
    transformers_version: str | None,
    pytorch_version: str | None,
    tensorflow_version: str | None,
    py_version: str | None,
    image_uri: str | None,
    example: str = _VERSIONS_EXAMPLE,
) -> None:
    """The version arguments that choose a Hugging Face image, checked as SDK v2 does.

    ``owner`` names the class in the messages. With ``image_uri`` no versions are needed
    (SDK v2 demanded ``py_version`` anyway).
    """
    if py_version == "py2":
        raise ConfigurationError(
            "py_version='py2' is not supported: Hugging Face images are Python 3 only. "
            "Use e.g. py_version='py39'."
        )
    if image_uri is not None:
        return
    missing = [
        name
        for name, value in (("transformers_version", transformers_version), ("py_version", py_version))
        if not value
    ]
    if missing:
        raise ConfigurationError(
            f"{owner} needs {' and '.join(missing)} to choose an image: pass e.g. "
            f"{example}, or image_uri='<your image>'."
        )
    if (pytorch_version is None) == (tensorflow_version is None):
        which = "both" if pytorch_version is not None else "neither"
        raise ConfigurationError(
            f"{owner} got {which} of pytorch_version and tensorflow_version; pass exactly one, "
            f"e.g. {example}."
        )
