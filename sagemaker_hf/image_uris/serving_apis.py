"""Which API an image's container serves, from its repository name (``image_uris/_serving_apis.json``).

Local mode stands in for a container with the toolkit; the toolkit serves the API of the
image family it stands in for (``SAGEMAKER_HF_SERVING_API``): ``toolkit`` (the base
Hugging Face inference image), ``tgi`` (TGI's generate and Messages API), ``tei``
(embeddings), ``vllm`` and ``sglang`` (OpenAI chat completions).

The data maps each family (a matrix file) to its API; the repositories come from the
matrices themselves, so an image of a new version or region needs no change here. An
image no family holds (a custom image) has no API here: the toolkit's default applies.
"""

from __future__ import annotations

import functools
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from sagemaker_hf.errors import UnsupportedValueError
from sagemaker_hf.image_uris._matrix import ImageMatrixError, default_store, iter_leaves

DATA_FILE = "_serving_apis.json"
ServingApi = Literal["toolkit", "tgi", "tei", "vllm", "sglang"]


class ServingApis(BaseModel):
    """The data file: ``apis`` maps every image family to its API (null: none local mode serves)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    about: str
    apis: dict[str, ServingApi | None]
    not_local: dict[str, str]


class NotServedLocallyError(UnsupportedValueError):
    """The image's container serves something local mode cannot stand in for."""


@functools.lru_cache(maxsize=1)
def serving_apis() -> ServingApis:
    """The data file, validated: it must name every family, and only families."""
    store = default_store()
    path = store.directory / DATA_FILE
    try:
        data = ServingApis.model_validate(json.loads(path.read_text()))
    except (OSError, ValueError, ValidationError) as error:
        raise ImageMatrixError(f"{path}: {error}") from None
    families = set(store.family_names())
    if set(data.apis) != families:
        raise ImageMatrixError(
            f"{path}: apis must name every image family; missing {sorted(families - set(data.apis))}, "
            f"unknown {sorted(set(data.apis) - families)}"
        )
    unserved = {family for family, api in data.apis.items() if api is None}
    if set(data.not_local) != unserved:
        raise ImageMatrixError(
            f"{path}: not_local must say why for exactly the families of null API {unserved}"
        )
    return data


@functools.lru_cache(maxsize=1)
def apis_by_repository() -> dict[str, tuple[str, ServingApi | None]]:
    """``{repository: (family, API)}`` over every image of every family."""
    store = default_store()
    found: dict[str, tuple[str, ServingApi | None]] = {}
    for family, api in serving_apis().apis.items():
        for scope in store.family(family).root.values():
            for _, _, leaf in iter_leaves(scope):
                earlier = found.setdefault(leaf.repository, (family, api))
                if earlier[1] != api:
                    raise ImageMatrixError(
                        f"{DATA_FILE}: the repository {leaf.repository} is in {earlier[0]} ({earlier[1]}) "
                        f"and in {family} ({api}); one repository serves one API"
                    )
    return found


def repository_of(image_uri: str) -> str:
    """``763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0-...``
    → ``huggingface-pytorch-tgi-inference`` (a tag or ``@sha256:`` digest dropped)."""
    name = image_uri.rsplit("/", 1)[-1]
    return name.partition("@")[0].partition(":")[0]


def serving_api(image_uri: str | None) -> ServingApi | None:
    """The API the image's container serves; None for an image of no family (a custom image).

    Raises :class:`NotServedLocallyError` for a family local mode cannot stand in for.
    """
    if not image_uri:
        return None
    entry = apis_by_repository().get(repository_of(image_uri))
    if entry is None:
        return None
    family, api = entry
    if api is None:
        raise NotServedLocallyError(
            f"the image {image_uri} is a {family} image: {serving_apis().not_local[family]}. Local mode "
            "serves transformers models with the sagemaker-hf toolkit, in the API of the base, TGI, TEI, "
            "vLLM and SGLang images. Deploy this image on SageMaker, or try the model locally with the "
            "image of get_huggingface_llm_image_uri('huggingface') (TGI) or ('huggingface-vllm')."
        )
    return api
