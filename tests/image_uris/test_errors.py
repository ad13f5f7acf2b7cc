"""Every refusal names the argument, the value, what is supported and the nearest values."""

from __future__ import annotations

import re

import pytest

from sagemaker_hf import get_huggingface_llm_image_uri
from sagemaker_hf.errors import ConfigurationError, UnsupportedValueError
from sagemaker_hf.image_uris import retrieve
from tests.image_uris.raw_matrix import raw

HF = {
    "framework": "huggingface",
    "region": "us-east-1",
    "image_scope": "inference",
    "instance_type": "ml.m5.xlarge",
}
HF_4_26 = {**HF, "version": "4.26", "base_framework_version": "pytorch1.13"}


def refusal(**kwargs) -> str:
    with pytest.raises(UnsupportedValueError) as info:
        retrieve(**kwargs)
    assert isinstance(info.value, ValueError)
    return str(info.value)


def listed(message: str, label: str) -> list[str]:
    """The comma-separated values after ``label`` (up to the sentence's end)."""
    match = re.search(re.escape(label) + r" (.+?)\.(?: |$)", message)
    assert match, f"{label!r} not in: {message}"
    return match[1].split(", ")


def test_unknown_framework():
    message = refusal(framework="huggingface-foo", region="us-east-1")
    assert "framework 'huggingface-foo'" in message
    assert {"huggingface", "huggingface-llm", "huggingface-tei-cpu"} <= set(
        listed(message, "Supported frameworks:")
    )
    assert refusal(framework="huggingface-vlm", region="us-east-1").endswith(
        "Nearest: huggingface-vllm, huggingface-llm."
    )


def test_unknown_and_missing_scope():
    message = refusal(**{**HF_4_26, "image_scope": "serving"})
    assert "image_scope 'serving'" in message
    assert listed(message, "Supported:") == ["inference", "training"]
    message = refusal(**{**HF_4_26, "image_scope": None})
    assert "image_scope is required" in message and "inference, training" in message


def test_unknown_version_suggests_the_nearest_and_lists_no_aliases():
    message = refusal(**{**HF_4_26, "version": "4.27"})
    assert "version '4.27'" in message and "transformers version" in message
    supported = listed(message, "Supported versions:")
    assert supported == sorted(
        raw("huggingface")["inference"]["versions"], key=lambda v: tuple(map(int, v.split(".")))
    )
    assert not set(supported) & set(raw("huggingface")["inference"]["version_aliases"])
    assert message.endswith("Nearest: 4.26.0, 4.28.1.")


def test_a_shortened_version_without_an_alias_points_at_the_full_one():
    # "4.48" is no alias in the data; the message names 4.48.0
    assert refusal(**{**HF, "version": "4.48", "base_framework_version": "pytorch2.3"}).endswith(
        "Nearest: 4.48.0."
    )


def test_unknown_tgi_version():
    with pytest.raises(UnsupportedValueError) as info:
        get_huggingface_llm_image_uri("huggingface", region="us-east-1", version="3.4")
    message = str(info.value)
    assert "version '3.4' (TGI version)" in message and message.endswith("Nearest: 3.3.6.")
    assert "3.3" not in listed(message, "Supported versions:")


def test_unknown_base_framework_for_that_version():
    message = refusal(**{**HF_4_26, "base_framework_version": "pytorch1.12"})
    assert "base_framework_version 'pytorch1.12'" in message and "4.26.0" in message
    assert listed(message, "Supported:") == ["pytorch1.13.1", "tensorflow2.11.0"]
    assert message.endswith("Nearest: pytorch1.13.1.")


def test_base_framework_offered_with_other_versions_says_which():
    message = refusal(
        framework="huggingface",
        region="us-east-1",
        version="4.36",
        image_scope="training",
        instance_type="ml.trn1.2xlarge",
        base_framework_version="pytorch2.1",
    )
    assert "pytorch2.1 is offered with versions 4.43.2, 4.48.1." in message
    # the family was chosen by the instance type; the message says so
    assert "instance_type 'ml.trn1.2xlarge' selected framework 'huggingface-neuronx'" in message


def test_bad_py_version_and_py2():
    message = refusal(**{**HF_4_26, "py_version": "py38"})
    assert "py_version 'py38'" in message and listed(message, "Supported:") == ["py39"]
    message = refusal(**{**HF_4_26, "py_version": "py2"})
    assert "py_version 'py2'" in message and "Python 2 is not supported" in message and "py39" in message


def test_py_version_for_an_image_without_one():
    message = refusal(
        framework="huggingface-llamacpp", region="us-east-1", instance_type="ml.g5.xlarge", py_version="py310"
    )
    assert "py_version 'py310'" in message and "omit py_version" in message


def test_processor_not_offered():
    message = refusal(framework="huggingface-tei-cpu", region="us-east-1", instance_type="ml.g5.xlarge")
    assert "processor 'gpu'" in message and "instance_type 'ml.g5.xlarge'" in message
    assert listed(message, "Supported processors:") == ["cpu"]
    assert "Use framework 'huggingface-tei' for gpu." in message
    message = refusal(framework="huggingface-llm", region="us-east-1", serverless_inference_config=object())
    assert "processor 'cpu'" in message and "serverless" in message and "Supported processors: gpu" in message
    message = refusal(**{**HF_4_26, "image_scope": "training"})
    assert "processor 'cpu'" in message and "Supported processors: gpu" in message


def test_missing_instance_type_when_there_is_a_choice():
    message = refusal(**{**HF_4_26, "instance_type": None})
    assert "instance_type is required" in message and "gpu, cpu" in message


def test_malformed_instance_type():
    message = refusal(**{**HF_4_26, "instance_type": "g5.xlarge"})
    assert "instance_type 'g5.xlarge'" in message and "ml.<family>.<size>" in message


def test_wrong_neuron_generation():
    message = refusal(framework="huggingface-llm-neuronx", region="us-east-1", instance_type="ml.inf1.xlarge")
    assert "instance_type 'ml.inf1.xlarge'" in message and "needs neuron images" in message


def test_gpu_family_on_inferentia_points_at_the_neuron_family():
    message = refusal(framework="huggingface-llm", region="us-east-1", instance_type="ml.inf2.xlarge")
    assert "processor 'inf'" in message and "Use framework 'huggingface-llm-neuronx'" in message


def test_missing_region_lists_the_regions():
    message = refusal(framework="huggingface-llm", region=None, version="3.3.6")
    assert "region is required" in message and "us-east-1" in message and "eusc-de-east-1" in message


def test_region_without_this_version_names_where_it_is():
    # a region that some neuronx inference versions have and 4.43.2 lacks, found in the data
    versions = raw("huggingface-neuronx")["inference"]["versions"]
    newer = versions["4.43.2"]["pytorch2.1.2"]["registries"]
    region = sorted(set(versions["4.36.2"]["pytorch2.1.2"]["registries"]) - set(newer))[0]
    message = refusal(
        framework="huggingface-neuronx",
        region=region,
        version="4.43",
        image_scope="inference",
        base_framework_version="pytorch2.1",
    )
    assert f"region '{region}'" in message
    assert listed(message, "That image is available in:") == sorted(newer)
    assert (
        f"In {region}, huggingface-neuronx inference images exist for versions 4.28.1, 4.34.1, 4.36.2."
        in message
    )


def test_region_typo_and_unpublished_region():
    message = refusal(**{**HF_4_26, "region": "us-east1"})
    assert (
        "region 'us-east1'" in message
        and "No huggingface inference image is published in us-east1" in message
    )
    assert "Nearest: us-east-1" in message
    message = refusal(
        **{**HF_4_26, "region": "eusc-de-east-1"}
    )  # TGI is there, the transformers images are not
    assert "us-east-1" in listed(message, "That image is available in:")


def test_argument_combinations():
    with pytest.raises(UnsupportedValueError, match="inference_tool 'neuron2'"):
        retrieve(**{**HF_4_26, "inference_tool": "neuron2"})
    with pytest.raises(
        ConfigurationError, match="inference_tool='neuronx' does not apply to framework 'huggingface-llm'"
    ):
        retrieve("huggingface-llm", "us-east-1", inference_tool="neuronx")
    with pytest.raises(
        ConfigurationError, match="training_compiler_config applies to framework 'huggingface' only"
    ):
        retrieve("huggingface-llm", "us-east-1", training_compiler_config=object())
    message = refusal(framework="huggingface-llm", region="us-east-1", base_framework_version="pytorch2.7")
    assert "base_framework_version 'pytorch2.7'" in message and "omit it" in message


def test_unknown_llm_backend_and_missing_region():
    with pytest.raises(UnsupportedValueError) as info:
        get_huggingface_llm_image_uri("huggingface-tie", region="us-east-1")
    message = str(info.value)
    assert "backend 'huggingface-tie'" in message and "huggingface-tei-cpu" in listed(
        message, "Supported backends:"
    )
    assert "Nearest: huggingface-tei" in message
    with pytest.raises(UnsupportedValueError, match="region is required"):
        get_huggingface_llm_image_uri("huggingface", session=object())


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: retrieve("huggingface", region=["us-east-1"]),
            r"image_uris.retrieve\(region=...\): got list",
        ),
        (
            lambda: retrieve("huggingface", "us-east-1", version=4.26),
            r"retrieve\(version=...\): got float 4.26",
        ),
        (
            lambda: get_huggingface_llm_image_uri(backend=None, region="us-east-1"),
            r"get_huggingface_llm_image_uri\(backend=...\): got NoneType None; expected str",
        ),
    ],
)
def test_argument_types_are_checked_before_resolution(call, message):
    from sagemaker_hf.errors import ArgumentTypeError

    with pytest.raises(ArgumentTypeError, match=message) as raised:
        call()
    assert isinstance(raised.value, ValueError)  # v2 raised ValueError for these
