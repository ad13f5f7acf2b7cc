"""The verified outputs of the reference, and each resolution rule on its own."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from packaging.version import Version

from sagemaker_hf import get_huggingface_llm_image_uri, image_uris
from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.image_uris import ImageTag, huggingface_image_uri, parse_image_tag, retrieve
from tests.image_uris.raw_matrix import raw

ECR = "763104351884.dkr.ecr"
HF_4_26 = {
    "framework": "huggingface",
    "version": "4.26.0",
    "base_framework_version": "pytorch1.13.1",
    "image_scope": "inference",
    "py_version": "py39",
}


# --- the verified outputs (SOURCE.md) --------------------------------------------------------


def test_verified_us_east_1_cpu():
    assert (
        retrieve(region="us-east-1", instance_type="ml.m5.xlarge", **HF_4_26)
        == f"{ECR}.us-east-1.amazonaws.com/huggingface-pytorch-inference:"
        "1.13.1-transformers4.26.0-cpu-py39-ubuntu20.04"
    )


def test_verified_eu_west_1_gpu():
    assert (
        retrieve(region="eu-west-1", instance_type="ml.g4dn.xlarge", **HF_4_26)
        == f"{ECR}.eu-west-1.amazonaws.com/huggingface-pytorch-inference:"
        "1.13.1-transformers4.26.0-gpu-py39-cu117-ubuntu20.04"
    )


def test_verified_china_and_iso_accounts_and_suffixes():
    assert retrieve(region="cn-north-1", instance_type="ml.m5.xlarge", **HF_4_26) == (
        "727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/huggingface-pytorch-inference:"
        "1.13.1-transformers4.26.0-cpu-py39-ubuntu20.04"
    )
    assert retrieve(region="us-iso-east-1", instance_type="ml.m5.xlarge", **HF_4_26) == (
        "886529160074.dkr.ecr.us-iso-east-1.c2s.ic.gov/huggingface-pytorch-inference:"
        "1.13.1-transformers4.26.0-cpu-py39-ubuntu20.04"
    )


def test_verified_tgi_latest_shape():
    assert get_huggingface_llm_image_uri("huggingface", region="us-east-1") == (
        f"{ECR}.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04"
    )


def test_verified_tei_account_and_repository():
    uri = get_huggingface_llm_image_uri("huggingface-tei", region="us-east-1")
    assert (
        uri == "683313688378.dkr.ecr.us-east-1.amazonaws.com/tei:2.0.1-tei1.8.2-gpu-py310-cu122-ubuntu22.04"
    )


# --- versions and aliases ---------------------------------------------------------------------


def test_tags_use_the_versions_as_typed():
    """The product decision: v2's typed-version tags, so existing calls keep their URIs."""
    short = dict(HF_4_26, version="4.26", base_framework_version="pytorch1.13")
    assert retrieve(region="us-east-1", instance_type="ml.m5.xlarge", **short) == (
        f"{ECR}.us-east-1.amazonaws.com/huggingface-pytorch-inference:1.13-transformers4.26-cpu-py39-ubuntu20.04"
    )
    mixed = dict(HF_4_26, version="4.26", base_framework_version="pytorch1.13.1")
    assert retrieve(region="us-east-1", instance_type="ml.m5.xlarge", **mixed).endswith(
        ":1.13.1-transformers4.26-cpu-py39-ubuntu20.04"
    )


def test_tgi_alias_2_0_is_2_4_0():
    uri = get_huggingface_llm_image_uri("huggingface", region="us-east-1", version="2.0")
    assert uri == (
        f"{ECR}.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04-v2.2"
    )


def test_llm_versions_accept_alias_or_full():
    full = get_huggingface_llm_image_uri("huggingface", region="us-east-1", version="3.3.6")
    assert get_huggingface_llm_image_uri("huggingface", region="us-east-1", version="3.3") == full


def test_omitted_or_latest_version_is_the_newest():
    newest = max(raw("huggingface")["inference"]["versions"], key=Version)
    uri = retrieve("huggingface", "us-east-1", image_scope="inference", instance_type="ml.g5.xlarge")
    assert f"-transformers{newest}-gpu-" in uri
    assert retrieve("huggingface-vllm", "us-east-1", version="latest") == retrieve(
        "huggingface-vllm", "us-east-1"
    )


def test_single_scope_and_single_processor_may_be_omitted():
    assert retrieve("huggingface-llm", "us-east-1", version="3.3") == retrieve(
        "huggingface-llm", "us-east-1", version="3.3.6", image_scope="inference", instance_type="ml.g5.xlarge"
    )


# --- processors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instance_type", "processor"),
    [
        ("local", "cpu"),
        ("local_gpu", "gpu"),
        ("local-gpu", "gpu"),
        ("ml.g5.xlarge", "gpu"),
        ("ml.p4d.24xlarge", "gpu"),
        ("ml.m5.xlarge", "cpu"),
        ("ml.c6i.large", "cpu"),
    ],
)
def test_processor_from_instance_type(instance_type, processor):
    uri = retrieve(region="us-east-1", instance_type=instance_type, **HF_4_26)
    assert f"-transformers4.26.0-{processor}-py39-" in uri


def test_serverless_is_cpu():
    uri = retrieve(region="us-east-1", serverless_inference_config=object(), **HF_4_26)
    assert uri.endswith(":1.13.1-transformers4.26.0-cpu-py39-ubuntu20.04")
    assert huggingface_image_uri("us-east-1", "4.26.0", pytorch_version="1.13.1", serverless=True) == uri


# --- Neuron -----------------------------------------------------------------------------------


def test_inf1_selects_neuron_with_sdk_suffix():
    uri = retrieve("huggingface", "us-east-1", "4.12", None, "ml.inf1.xlarge", "inference", "pytorch1.9")
    assert uri == (
        f"{ECR}.us-east-1.amazonaws.com/huggingface-pytorch-inference-neuron:"
        "1.9.1-transformers4.12.3-neuron-py37-sdk1.17.1-ubuntu18.04"
    )


def test_inf2_selects_neuronx_with_full_versions_and_sdk_suffix():
    uri = retrieve(
        "huggingface",
        "us-east-1",
        version="4.36",
        instance_type="ml.inf2.xlarge",
        image_scope="inference",
        base_framework_version="pytorch2.1",
    )
    assert uri == (
        f"{ECR}.us-east-1.amazonaws.com/huggingface-pytorch-inference-neuronx:"
        "2.1.2-transformers4.36.2-neuronx-py310-sdk2.18.0-ubuntu20.04"
    )
    assert uri == retrieve(
        "huggingface",
        "us-east-1",
        "4.36.2",
        None,
        None,
        "inference",
        "pytorch2.1.2",
        inference_tool="neuronx",
    )


def test_trn1_training_selects_neuronx_despite_the_inf_keyed_container_version():
    uri = retrieve(
        "huggingface",
        "us-east-1",
        version="4.36.2",
        instance_type="ml.trn1.32xlarge",
        image_scope="training",
        base_framework_version="pytorch1.13.1",
    )
    assert uri == (
        f"{ECR}.us-east-1.amazonaws.com/huggingface-pytorch-training-neuronx:"
        "1.13.1-transformers4.36.2-neuronx-py310-sdk2.18.0-ubuntu20.04"
    )


def test_llm_neuronx_backends_tag_the_tool_name():
    tgi = get_huggingface_llm_image_uri("huggingface-neuronx", region="us-east-1", version="0.3.0")
    assert tgi.endswith("/huggingface-pytorch-tgi-inference:2.7.0-optimum3.3.6-neuronx-py310-ubuntu22.04")
    vllm = get_huggingface_llm_image_uri("huggingface-vllm-neuronx", region="us-east-1", version="0.4")
    assert vllm.endswith(":0.11.0-optimum0.4.4-neuronx-py310-sdk2.26.1-ubuntu22.04")
    assert retrieve("huggingface-llm-neuronx", "us-east-1", "0.3.0", instance_type="ml.trn1.2xlarge") == tgi


def test_container_version_argument_replaces_the_trailing_part():
    uri = retrieve(
        region="us-east-1", instance_type="ml.g5.xlarge", container_version="cu118-ubuntu22.04", **HF_4_26
    )
    assert uri.endswith(":1.13.1-transformers4.26.0-gpu-py39-cu118-ubuntu22.04")
    neuron = retrieve(
        "huggingface", "us-east-1", "4.12.3", None, "ml.inf1.xlarge", "inference", "pytorch1.9.1", "custom-os"
    )
    assert neuron.endswith(":1.9.1-transformers4.12.3-neuron-py37-custom-os")


# --- partitions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "suffix"),
    [
        ("us-east-1", "amazonaws.com"),
        ("us-gov-west-1", "amazonaws.com"),
        ("cn-northwest-1", "amazonaws.com.cn"),
        ("us-iso-east-1", "c2s.ic.gov"),
        ("us-isob-east-1", "sc2s.sgov.gov"),
        ("us-isof-south-1", "csp.hci.ic.gov"),
        ("eu-isoe-west-1", "cloud.adc-e.uk"),
        ("eusc-de-east-1", "amazonaws.eu"),
    ],
)
def test_each_partition_has_its_dns_suffix(region, suffix):
    assert image_uris.dns_suffix(region) == suffix
    account = raw("huggingface-llm")["inference"]["versions"]["3.3.6"]["registries"][region]
    uri = get_huggingface_llm_image_uri("huggingface", region=region, version="3.3.6")
    assert uri.startswith(f"{account}.dkr.ecr.{region}.{suffix}/huggingface-pytorch-tgi-inference:")


# --- helpers for the SDK layer ----------------------------------------------------------------


def test_huggingface_image_uri_builds_the_base_framework():
    assert huggingface_image_uri(
        "eu-west-1", "4.26", pytorch_version="1.13", py_version="py39", instance_type="ml.g5.xlarge"
    ) == retrieve(
        "huggingface",
        "eu-west-1",
        "4.26",
        "py39",
        "ml.g5.xlarge",
        "inference",
        base_framework_version="pytorch1.13",
    )
    tf = huggingface_image_uri(
        "us-east-1", "4.26.0", tensorflow_version="2.11.0", instance_type="ml.m5.xlarge"
    )
    assert tf.endswith("/huggingface-tensorflow-inference:2.11.0-transformers4.26.0-cpu-py39-ubuntu20.04")


def test_huggingface_image_uri_compiler_and_neuron():
    compiler = huggingface_image_uri(
        "us-east-1",
        "4.21.1",
        pytorch_version="1.11.0",
        instance_type="ml.p3.2xlarge",
        scope="training",
        compiler=True,
    )
    assert compiler == (
        f"{ECR}.us-east-1.amazonaws.com/huggingface-pytorch-trcomp-training:1.11.0-transformers4.21.1-gpu-py38-cu113-ubuntu20.04"
    )
    neuron = huggingface_image_uri("us-east-1", "4.43", pytorch_version="2.1", inference_tool="neuronx")
    assert "/huggingface-pytorch-inference-neuronx:2.1.2-transformers4.43.2-neuronx-py310-" in neuron


def test_huggingface_image_uri_refuses_two_frameworks():
    with pytest.raises(ConfigurationError, match=r"pytorch_version.*tensorflow_version"):
        huggingface_image_uri("us-east-1", "4.26", pytorch_version="1.13", tensorflow_version="2.11")


def test_llm_region_from_a_session_or_the_argument():
    session = SimpleNamespace(boto_region_name="eu-west-1")
    assert ".eu-west-1." in get_huggingface_llm_image_uri("huggingface", session=session)
    assert ".us-west-2." in get_huggingface_llm_image_uri("huggingface", session=session, region="us-west-2")


@pytest.mark.parametrize("backend", sorted(image_uris.LLM_BACKENDS))
def test_every_llm_backend_resolves_its_newest_version(backend):
    family = image_uris.LLM_BACKENDS[backend]
    versions = raw(family)["inference"]["versions"]
    newest = max(versions, key=lambda v: Version(v) if v[0].isdigit() else Version("0"))
    leaf = versions[newest]
    instance_type = "ml.g5.xlarge" if len(raw(family)["inference"].get("processors", ())) > 1 else None
    uri = get_huggingface_llm_image_uri(backend, region="us-east-1", instance_type=instance_type)
    assert uri.startswith(
        f"{leaf['registries']['us-east-1']}.dkr.ecr.us-east-1.amazonaws.com/{leaf['repository']}:"
    )
    if backend in ("lmi",):  # SDK v2's default for lmi is 0.24.0, not the newest
        assert uri.endswith(f":{versions['0.24.0']['tag_prefix']}")
        return
    assert f":{leaf['tag_prefix']}-" in uri


# --- listings and tag parsing -----------------------------------------------------------------


def test_list_versions_holds_versions_only_in_order():
    inference = image_uris.list_versions("huggingface", "inference")
    assert inference == sorted(raw("huggingface")["inference"]["versions"], key=Version)
    assert "4.26" not in inference
    both = image_uris.list_versions("huggingface")
    assert set(both) == set(inference) | set(raw("huggingface")["training"]["versions"])
    assert image_uris.list_scopes("huggingface-neuronx") == ["inference", "training"]


def test_list_images_describes_aliases_and_regions():
    images = image_uris.list_images("huggingface", "inference", version="4.26")
    assert [(i.version, i.base_framework) for i in images] == [
        ("4.26.0", "pytorch1.13.1"),
        ("4.26.0", "tensorflow2.11.0"),
    ]
    pytorch = images[0]
    assert pytorch.version_aliases == ("4.26",)
    assert pytorch.base_framework_aliases == ("pytorch1.13",)
    assert pytorch.processors == ("gpu", "cpu")
    assert pytorch.py_versions == ("py39",)
    assert "cn-north-1" in pytorch.regions and "ap-east-2" not in pytorch.regions
    assert pytorch.repository == "huggingface-pytorch-inference"


@pytest.mark.parametrize(
    ("uri", "parsed"),
    [
        (
            f"{ECR}.eu-west-1.amazonaws.com/huggingface-pytorch-inference:1.13.1-transformers4.26.0-gpu-py39-cu117-ubuntu20.04",
            ImageTag("pytorch", "1.13.1", "4.26.0", "gpu", "py39"),
        ),
        (
            f"{ECR}.us-east-1.amazonaws.com/huggingface-pytorch-training:1.13-transformers4.26-gpu-py39-cu117-ubuntu20.04",
            ImageTag("pytorch", "1.13", "4.26", "gpu", "py39"),
        ),
        (
            f"{ECR}.us-east-1.amazonaws.com/huggingface-tensorflow-inference:2.11.0-transformers4.26.0-cpu-py39-ubuntu20.04",
            ImageTag("tensorflow", "2.11.0", "4.26.0", "cpu", "py39"),
        ),
        (
            f"{ECR}.us-east-1.amazonaws.com/huggingface-pytorch-trcomp-training:1.11.0-transformers4.21.1-gpu-py38-cu113-ubuntu20.04",
            ImageTag("pytorch", "1.11.0", "4.21.1", "gpu", "py38"),
        ),
        (
            f"{ECR}.us-east-1.amazonaws.com/huggingface-pytorch-training-neuronx:"
            "1.13.1-transformers4.36.2-neuronx-py310-sdk2.18.0-ubuntu20.04",
            ImageTag("pytorch", "1.13.1", "4.36.2", "neuronx", "py310"),
        ),
        (
            f"{ECR}.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04",
            None,
        ),
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com/my-own-image:latest", None),
    ],
)
def test_parse_image_tag(uri, parsed):
    assert parse_image_tag(uri) == parsed


def test_parse_image_tag_round_trips_every_transformers_image():
    for image in image_uris.list_images("huggingface"):
        for processor in image.processors:
            uri = retrieve(
                "huggingface",
                image.regions[0],
                image.version,
                image.py_versions[0],
                {"cpu": "ml.m5.xlarge", "gpu": "ml.g5.xlarge"}[processor],
                image.scope,
                image.base_framework,
            )
            tag = parse_image_tag(uri)
            assert tag is not None, uri
            assert f"{tag.framework}{tag.framework_version}" == image.base_framework
            assert (tag.transformers_version, tag.processor, tag.py_version) == (
                image.version,
                processor,
                image.py_versions[0],
            )
