"""`sagemaker-hf image-uri` and `sagemaker-hf images`: a few real processes, the rest in-process."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sagemaker_hf.cli import main
from sagemaker_hf.image_uris import retrieve

TGI_LATEST = (
    "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:"
    "2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04"
)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sagemaker_hf.cli", *args], capture_output=True, text=True, timeout=60
    )


def test_image_uri_process_prints_the_uri():
    completed = run_cli(
        "image-uri",
        "--transformers",
        "4.26",
        "--pytorch",
        "1.13",
        "--py-version",
        "py39",
        "--region",
        "eu-west-1",
        "--instance-type",
        "ml.g5.xlarge",
        "--scope",
        "inference",
    )
    assert (completed.returncode, completed.stderr) == (0, "")
    assert completed.stdout == (
        "763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-inference:"
        "1.13-transformers4.26-gpu-py39-cu117-ubuntu20.04\n"
    )


def test_image_uri_process_error_exits_2_with_the_message_on_stderr():
    completed = run_cli(
        "image-uri",
        "--transformers",
        "4.27",
        "--pytorch",
        "1.13",
        "--region",
        "eu-west-1",
        "--scope",
        "inference",
    )
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.startswith("sagemaker-hf image-uri: error: Unsupported version '4.27'")
    assert "Nearest: 4.26.0, 4.28.1." in completed.stderr
    assert "Traceback" not in completed.stderr


def test_images_process_lists_every_family():
    completed = run_cli("images")
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[0].split() == ["FAMILY", "SCOPE", "VERSIONS", "NEWEST", "PROCESSORS"]
    assert "huggingface-llm inference 23 3.3.6 gpu" in [" ".join(line.split()) for line in lines]
    assert {line.split()[0] for line in lines[1:] if line and not line.startswith("Details")} == {
        "djl-deepspeed",  # get_huggingface_llm_image_uri("lmi"), as SDK v2
        "huggingface",
        "huggingface-llamacpp",
        "huggingface-llm",
        "huggingface-llm-neuronx",
        "huggingface-neuron",
        "huggingface-neuronx",
        "huggingface-sglang",
        "huggingface-tei",
        "huggingface-tei-cpu",
        "huggingface-training-compiler",
        "huggingface-vllm",
        "huggingface-vllm-neuronx",
        "huggingface-vllm-omni",
    }


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_llm_family_with_version(capsys):
    assert cli(
        capsys, "image-uri", "--family", "huggingface-llm", "--version", "3.3", "--region", "us-east-1"
    ) == (
        0,
        TGI_LATEST + "\n",
        "",
    )
    code, out, _ = cli(capsys, "image-uri", "--framework", "huggingface-tei-cpu", "--region", "eu-west-1")
    assert code == 0
    assert out.endswith("/tei-cpu:2.0.1-tei1.8.2-cpu-py310-ubuntu22.04\n")


def test_tensorflow_serverless_compiler_and_neuron_flags(capsys):
    code, out, _ = cli(
        capsys, "image-uri", "--transformers", "4.26.0", "--tensorflow", "2.11.0", "--region", "us-east-1",
        "--scope", "inference", "--serverless",
    )  # fmt: skip
    assert code == 0 and out.strip().endswith(
        "/huggingface-tensorflow-inference:2.11.0-transformers4.26.0-cpu-py39-ubuntu20.04"
    )
    code, out, _ = cli(
        capsys, "image-uri", "--transformers", "4.21", "--pytorch", "1.11", "--region", "us-east-1",
        "--scope", "training", "--instance-type", "ml.p3.2xlarge", "--compiler",
    )  # fmt: skip
    assert code == 0 and "/huggingface-pytorch-trcomp-training:1.11-transformers4.21-gpu-py38-" in out
    code, out, _ = cli(
        capsys, "image-uri", "--transformers", "4.43", "--pytorch", "2.1", "--region", "us-east-1",
        "--scope", "inference", "--inference-tool", "neuronx", "--container-version", "mine",
    )  # fmt: skip
    assert (code, out.strip()) == (
        0,
        retrieve(
            "huggingface",
            "us-east-1",
            "4.43",
            None,
            None,
            "inference",
            "pytorch2.1",
            "mine",
            inference_tool="neuronx",
        ),
    )


def test_disagreeing_versions_and_missing_region(capsys):
    code, out, err = cli(
        capsys, "image-uri", "--transformers", "4.26", "--version", "4.28", "--region", "us-east-1"
    )
    assert (code, out) == (2, "") and "--transformers 4.26 and --version 4.28 disagree" in err
    with pytest.raises(SystemExit) as info:
        main(["image-uri", "--transformers", "4.26"])
    assert info.value.code == 2
    assert "--region" in capsys.readouterr().err


def test_images_detail_and_regions(capsys):
    code, out, _ = cli(
        capsys, "images", "--family", "huggingface", "--scope", "inference", "--version", "4.26"
    )
    rows = [" ".join(line.split()) for line in out.splitlines()]
    assert code == 0
    assert (
        "inference 4.26.0 4.26 pytorch1.13.1 (pytorch1.13) gpu, cpu py39 35 huggingface-pytorch-inference"
        in rows
    )
    code, out, _ = cli(capsys, "images", "--family", "huggingface-llm", "--version", "3.3", "--regions")
    assert code == 0 and "inference 3.3.6: af-south-1, ap-east-1," in out and "us-west-2" in out


def test_images_errors_exit_2(capsys):
    code, out, err = cli(capsys, "images", "--family", "huggingface-llm", "--version", "3.4")
    assert (code, out) == (2, "")
    assert "sagemaker-hf images: error: Unsupported version '3.4'" in err and "Nearest: 3.3.6." in err
    code, _, err = cli(capsys, "images", "--family", "huggingface-nope")
    assert code == 2 and "Unsupported framework 'huggingface-nope'" in err
    code, _, err = cli(capsys, "images", "--version", "3.3")
    assert code == 2 and "--scope and --version need --family" in err


def test_help_texts_show_examples(capsys):
    for command in ("image-uri", "images"):
        with pytest.raises(SystemExit) as info:
            main([command, "--help"])
        assert info.value.code == 0
        out = capsys.readouterr().out
        assert "examples:" in out and f"sagemaker-hf {command}" in out
