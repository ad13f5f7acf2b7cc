"""Image URIs: image_uris.retrieve and get_huggingface_llm_image_uri, as notebooks call them."""

from __future__ import annotations

from sdk import Session, TrainingCompilerConfig, get_huggingface_llm_image_uri, image_uris

from tests.parity.scenario import Case, scenario


@scenario
def image_uris_inference(case: Case) -> None:
    for name, instance_type in (("cpu", "ml.m5.xlarge"), ("gpu", "ml.g5.2xlarge")):
        uri = image_uris.retrieve(
            "huggingface",
            region="us-east-1",
            version="4.26.0",
            base_framework_version="pytorch1.13.1",
            py_version="py39",
            instance_type=instance_type,
            image_scope="inference",
        )
        case.result(name, uri)


@scenario
def image_uris_training_regions(case: Case) -> None:
    for region in ("us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1", "us-gov-west-1"):
        uri = image_uris.retrieve(
            "huggingface",
            region=region,
            version="4.28.1",
            base_framework_version="pytorch2.0.0",
            py_version="py310",
            instance_type="ml.p3.2xlarge",
            image_scope="training",
        )
        case.result(region, uri)


@scenario
def image_uris_tensorflow_and_neuronx(case: Case) -> None:
    case.result(
        "tensorflow",
        image_uris.retrieve(
            "huggingface",
            region="us-west-2",
            version="4.17.0",
            base_framework_version="tensorflow2.6.3",
            py_version="py38",
            instance_type="ml.p3.2xlarge",
            image_scope="training",
        ),
    )
    case.result(
        "neuronx",
        image_uris.retrieve(
            "huggingface",
            region="us-east-1",
            version="4.36.2",
            base_framework_version="pytorch2.1.2",
            py_version="py310",
            instance_type="ml.inf2.xlarge",
            image_scope="inference",
            inference_tool="neuronx",
        ),
    )


@scenario
def image_uris_training_compiler(case: Case) -> None:
    uri = image_uris.retrieve(
        "huggingface",
        region="us-east-1",
        version="4.21.1",
        base_framework_version="pytorch1.11.0",
        py_version="py38",
        instance_type="ml.p3.2xlarge",
        image_scope="training",
        training_compiler_config=TrainingCompilerConfig(),
    )
    case.result("uri", uri)


@scenario
def image_uris_unknown_version(case: Case) -> None:
    image_uris.retrieve(
        "huggingface",
        region="us-east-1",
        version="9.99.0",
        base_framework_version="pytorch1.13.1",
        py_version="py39",
        instance_type="ml.m5.xlarge",
        image_scope="inference",
    )


@scenario
def llm_image_tgi_versions(case: Case) -> None:
    for version in ("1.4.2", "2.0.0", "2.2.0", "3.0.1"):
        case.result(
            version, get_huggingface_llm_image_uri("huggingface", region="us-east-1", version=version)
        )


@scenario
def llm_image_tei_and_neuronx(case: Case) -> None:
    case.result("tei", get_huggingface_llm_image_uri("huggingface-tei", region="eu-west-1", version="1.2.3"))
    case.result(
        "tei-cpu", get_huggingface_llm_image_uri("huggingface-tei-cpu", region="eu-west-1", version="1.2.3")
    )
    case.result(
        "neuronx", get_huggingface_llm_image_uri("huggingface-neuronx", region="us-east-2", version="0.0.25")
    )


@scenario
def llm_image_with_session(case: Case) -> None:
    case.result("uri", get_huggingface_llm_image_uri("huggingface", session=Session(), version="2.0.0"))


@scenario
def llm_image_without_region(case: Case) -> None:
    # The Hub's LLM deploy snippet and 7 notebooks: no region, no session.
    case.result("uri", get_huggingface_llm_image_uri("huggingface", version="2.0.0"))


@scenario
def llm_image_unknown_backend(case: Case) -> None:
    get_huggingface_llm_image_uri("no-such-backend", region="us-east-1")
