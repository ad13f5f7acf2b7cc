"""The LLM and TEI examples (examples/llm_*.py, tei_embeddings.py, vllm_chat.py), run as users
run them: locally on a tiny model built on the fly (the toolkit serving the image's API), and
on "AWS", the moto server, with the instance types and Hub models of a real deployment.

moto has no InvokeEndpointWithResponseStream, so the examples that stream reach a stand-in
runtime (``stand_in_runtime.py``) for their runtime calls, answering recorded TGI Messages and
vLLM streams; the others get moto's queued InvokeEndpoint results.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.examples.aws_cases import ECR, _answer, _check_deleted, _only
from tests.examples.runner import ExampleContext
from tests.examples.stand_in_runtime import stand_in_runtime
from tests.hosting import recorded_streams as recorded

TGI = f"{ECR}/huggingface-pytorch-tgi-inference:"
AWS = ("--instance-type", "ml.g4dn.2xlarge")  # a GPU type moto knows
ANSWER = "".join(recorded.TEXTS)


def no_endpoint_left(local_home: Path) -> None:
    from sagemaker_hf.local.registry import EndpointRecord, Registry

    assert Registry(local_home / "registry").names(EndpointRecord) == [], "the example left an endpoint"


def quoted(output: str, label: str) -> str:
    """The Python string literal printed after ``label`` on its line."""
    match = re.search(rf"^{re.escape(label)}(.+)$", output, re.MULTILINE)
    assert match, output
    return ast.literal_eval(match[1].strip())


def check_deployment(context: ExampleContext, image_prefix: str, model_id: str, instance_type: str) -> dict:
    container = _only(context, "CreateModel")["PrimaryContainer"]
    assert container["Image"].startswith(image_prefix)
    assert (
        container["Environment"]["HF_MODEL_ID"] == model_id and container["Environment"]["SM_NUM_GPUS"] == "1"
    )
    (variant,) = _only(context, "CreateEndpointConfig")["ProductionVariants"]
    assert variant["InstanceType"] == instance_type
    assert variant["ContainerStartupHealthCheckTimeoutInSeconds"] == 300
    _check_deleted(context)
    return container["Environment"]


# ---- local mode ----------------------------------------------------------------------------


@pytest.mark.slow
def test_tgi_generate_locally(local_home, example_context):
    output = example_context.run("llm_tgi_generate.py").stdout
    assert f"image: {TGI}" in output
    assert isinstance(quoted(output, "generated_text: "), str)
    assert "finish_reason: length, generated_tokens: 12" in output
    no_endpoint_left(local_home)


@pytest.mark.slow
def test_tgi_messages_with_streaming_locally(local_home, example_context):
    output = example_context.run("llm_tgi_messages_stream.py").stdout
    said = re.search(r"^chat\.completion: assistant says (.+)$", output, re.MULTILINE)
    assert said, output
    assert re.search(
        r"^finish_reason: length, usage: \{'prompt_tokens': \d+, 'completion_tokens': 16", output, re.M
    )
    streamed = re.search(r"^streamed: (.*)\n(\d+) pieces streamed$", output, re.MULTILINE)
    assert streamed and streamed[1] == ast.literal_eval(said[1]) and int(streamed[2]) > 1
    no_endpoint_left(local_home)


@pytest.mark.slow
def test_tei_embeddings_locally(local_home, example_context):
    output = example_context.run("tei_embeddings.py").stdout
    assert "/tei-cpu:" in output and "4 vectors of 32 numbers" in output
    scores = re.findall(r"^\s+(-?\d\.\d{3})  (.+)$", output, re.MULTILINE)
    assert len(scores) == 3 and all(-1.0 <= float(score) <= 1.0 for score, _ in scores)
    no_endpoint_left(local_home)


@pytest.mark.slow
def test_vllm_chat_locally(local_home, example_context):
    output = example_context.run("vllm_chat.py").stdout
    assert "/huggingface-vllm:" in output and "model: " in output
    assert quoted(output, "streamed: ") == quoted(output, "answer: ")
    assert "streamed text == answer" in output
    no_endpoint_left(local_home)


# ---- AWS (the moto server) -----------------------------------------------------------------


def test_tgi_generate_on_aws(example_context):
    details = {"finish_reason": "length", "generated_tokens": 12, "seed": None}
    _answer(example_context, [{"generated_text": " red, yellow and blue", "details": details}])
    output = example_context.run("llm_tgi_generate.py", *AWS).stdout
    assert quoted(output, "generated_text: ") == " red, yellow and blue"
    assert "finish_reason: length, generated_tokens: 12" in output
    check_deployment(example_context, TGI, "HuggingFaceTB/SmolLM2-135M-Instruct", "ml.g4dn.2xlarge")
    (invoke,) = example_context.captured("InvokeEndpoint")
    assert '"details": true' in invoke["Body"] and '"stream"' not in invoke["Body"]


def chat_completion(content: str) -> dict:
    return {
        "object": "chat.completion",
        "id": "",
        "created": 1765000000,
        "model": "HuggingFaceTB/SmolLM2-135M-Instruct",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "length"}
        ],
        "usage": {"prompt_tokens": 25, "completion_tokens": 5, "total_tokens": 30},
    }


def test_tgi_messages_with_streaming_on_aws(example_context):
    with stand_in_runtime() as runtime:
        runtime.answers.append(chat_completion(ANSWER))
        runtime.streams.append(recorded.TGI_MESSAGES)
        output = example_context.run("llm_tgi_messages_stream.py", *AWS, env=runtime.env).stdout
    assert f"chat.completion: assistant says {ANSWER!r}" in output
    assert f"streamed: {ANSWER}\n5 pieces streamed" in output
    (_, whole), (path, streamed) = runtime.requests
    assert path.endswith("/invocations-response-stream")
    assert streamed == {**whole, "stream": True} and "stream" not in whole
    check_deployment(example_context, TGI, "HuggingFaceTB/SmolLM2-135M-Instruct", "ml.g4dn.2xlarge")


def test_tei_embeddings_on_aws(example_context):
    _answer(example_context, [[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [-1.0, 0.0]])
    output = example_context.run("tei_embeddings.py", "--instance-type", "ml.g4dn.xlarge").stdout
    assert "4 vectors of 2 numbers" in output
    assert re.findall(r"^\s+(-?\d\.\d{3})  ", output, re.MULTILINE) == ["0.800", "0.000", "-1.000"]
    tei = "683313688378.dkr.ecr.us-east-1.amazonaws.com/tei:"
    check_deployment(example_context, tei, "BAAI/bge-small-en-v1.5", "ml.g4dn.xlarge")


def test_vllm_chat_on_aws(example_context):
    with stand_in_runtime() as runtime:
        runtime.answers.append(chat_completion(ANSWER))
        runtime.streams.append(recorded.VLLM_CHAT)
        output = example_context.run("vllm_chat.py", *AWS, env=runtime.env).stdout
    assert quoted(output, "answer: ") == ANSWER and "streamed text == answer" in output
    environment = check_deployment(
        example_context, f"{ECR}/huggingface-vllm:", "Qwen/Qwen2.5-0.5B-Instruct", "ml.g4dn.2xlarge"
    )
    assert environment["SM_VLLM_MAX_MODEL_LEN"] == "4096"
