"""The examples that run in local mode: each case runs one and checks what it printed and left.

Tiny models come from the session's ``tiny_models`` (built once), so examples that would
build their own get a folder passed in instead. Every case ends with no local endpoint left
(checked by the test).
"""

from __future__ import annotations

import io
import json
import re
import tarfile
from collections.abc import Callable
from pathlib import Path

from tests.examples.runner import ExampleContext

_SCORE = re.compile(r"^\s*(-?\d+\.\d+)\s+'A man is eating food\.' vs '(.+)'$", re.MULTILINE)
_PREDICTION = re.compile(r"^'(.+)' -> (\[.+\])$", re.MULTILINE)


def _top_labels(output: str) -> dict[str, str]:
    """``{input: top label}`` from lines such as ``'I loved it' -> [{"label": ..., "score": ...}]``."""
    return {text: json.loads(answer)[0]["label"] for text, answer in _PREDICTION.findall(output)}


def getting_started_pytorch(context: ExampleContext) -> None:
    model = context.tiny("text-classification")
    output = context.run("01_getting_started_pytorch.py", "--model", model).stdout
    assert re.search(r"epoch=\d+ step=\d+ loss=", output) and "eval_accuracy=" in output  # the job's log
    archive = re.search(r"trained model: file://(\S+)", output)
    assert archive, output
    with tarfile.open(fileobj=io.BytesIO(Path(archive[1]).read_bytes()), mode="r:gz") as packed:
        assert {"config.json", "model.safetensors", "tokenizer.json"} <= set(packed.getnames())
    assert re.search(r"attached to \S+: transformers 4\.26, file://\S+/model\.tar\.gz", output)
    assert _top_labels(output) == {
        "I loved this film, it was wonderful": "POSITIVE",
        "I hated every minute of it": "NEGATIVE",
    }


def spot_instances(context: ExampleContext) -> None:
    output = context.run("05_spot_instances.py").stdout
    first = re.search(r"first job: Stopped after step (\d+)", output)
    assert first, output
    assert 3 <= int(first[1]) < 20
    assert f"resuming from the checkpoint of step {first[1]}" in output
    assert f"second job: Completed at step 20, resumed from step {first[1]}" in output


def vision_transformer(context: ExampleContext) -> None:
    output = context.run("09_vision_transformer.py", "--model", context.tiny("image-classification")).stdout
    assert "labels: blue, red" in output
    answers = dict(re.findall(r"^a (\w+) square -> (\[.+\])$", output, re.MULTILINE))
    assert {colour: json.loads(answer)[0]["label"] for colour, answer in answers.items()} == {
        "red": "red",
        "blue": "blue",
    }


def deploy_from_s3(context: ExampleContext) -> None:
    # The archive goes through the moto server's S3: packed, uploaded, and downloaded by local mode.
    model = context.tiny("sentence-embeddings")
    output = context.run("10_deploy_from_s3.py", "--model-data", model, "--upload").stdout
    uploaded = re.search(r"uploaded the model to (s3://\S+)", output)
    assert uploaded, output
    assert uploaded[1] == "s3://sagemaker-us-east-1-123456789012/huggingface-models/model.tar.gz"
    with tarfile.open(fileobj=io.BytesIO(context.s3_bytes(uploaded[1])), mode="r:gz") as packed:
        assert {"config.json", "model.safetensors", "modules.json"} <= set(packed.getnames())
    assert "32-dimensional embeddings; similarity of the two sentences:" in output


def deploy_from_hub(context: ExampleContext) -> None:
    run = context.run("11_deploy_from_hub.py", env={"HF_HUB_CACHE": str(context.scratch / "hub")})
    assert "Caching the bundled sentence-transformers/all-MiniLM-L6-v2" in run.stdout
    assert "sentence-transformers/all-MiniLM-L6-v2 answered: 384 numbers" in run.stdout
    assert (context.scratch / "hub" / "models--sentence-transformers--all-MiniLM-L6-v2").is_dir()


def batch_transform(context: ExampleContext) -> None:
    output = context.run("12_batch_transform.py", "--model", context.tiny("text-classification")).stdout
    assert "6 predictions in file://" in output
    answers = re.findall(r"^  '(.+?)'\s+-> (.+)$", output, re.MULTILINE)
    assert [text for text, _ in answers] == [
        "this movie is terrible",
        "this movie is amazing",
        "SageMaker is pretty cool",
        "SageMaker is pretty cool",
        "this movie is terrible",
        "this movie is amazing",
    ]
    labels = [json.loads(answer) for _, answer in answers]
    assert all(label[0]["label"] in ("NEGATIVE", "POSITIVE") for label in labels)
    # One output line per input line, in order: equal inputs got equal answers.
    assert labels[0] == labels[4] and labels[1] == labels[5] and labels[2] == labels[3]


def async_inference(context: ExampleContext) -> None:
    output = context.run("16_async_inference.py", "--model", context.tiny("text-classification")).stdout
    written = re.search(r"its result will be written to (file://\S+)", output)
    assert written and "/artifacts/async-endpoint-outputs/" in written[1], output
    assert Path(written[1].removeprefix("file://")).is_file()
    results = re.findall(r"^result(?: for \S+)?: (\[.+\])$", output, re.MULTILINE)
    assert len(results) == 2 and all(json.loads(result)[0]["label"] for result in results)
    both = re.search(r"^predict\(\) sends and waits: (\[.+\])$", output, re.MULTILINE)
    assert both and len(json.loads(both[1])) == 2


def custom_inference(context: ExampleContext) -> None:
    output = context.run("17_custom_inference_sentence_embeddings.py").stdout
    assert "Each sentence is a vector of 384 numbers." in output
    scores = {sentence: float(score) for score, sentence in _SCORE.findall(output)}
    assert scores["A man is eating a piece of bread."] > 0.6 > scores["The stock market fell today."]


LOCAL_CASES: dict[str, Callable[[ExampleContext], None]] = {
    "01_getting_started_pytorch.py": getting_started_pytorch,
    "05_spot_instances.py": spot_instances,
    "09_vision_transformer.py": vision_transformer,
    "10_deploy_from_s3.py": deploy_from_s3,
    "11_deploy_from_hub.py": deploy_from_hub,
    "12_batch_transform.py": batch_transform,
    "16_async_inference.py": async_inference,
    "17_custom_inference_sentence_embeddings.py": custom_inference,
}
