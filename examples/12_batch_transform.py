"""12 · Batch transform: run a model over a JSON Lines file, one prediction per line.

Notebook: ``sagemaker/12_batch_transform_inference`` (a sentiment model over tweets). What it
shows, with SDK v2's calls and only the import changed:

1. the input is JSON Lines, one ``{"inputs": ...}`` request per line (``input.jsonl``);
2. ``huggingface_model.transformer(instance_count=1, instance_type=..., strategy="SingleRecord",
   assemble_with="Line")`` creates the model and returns a ``Transformer``;
3. ``batch_job.transform(data=..., content_type="application/json", split_type="Line")``
   runs the job and waits for it, with progress;
4. the output is ``<output path>/input.jsonl.out``, one prediction per input line, in order;
   the script prints each input next to its prediction, then deletes the model.

How it runs here: in local mode, offline: the input is a local file, the output a
``file://`` folder under ``$SAGEMAKER_HF_LOCAL_HOME/artifacts``. The model is a tiny random
sentiment classifier built by ``sagemaker_hf.testing`` (its labels are right, its scores
meaningless); ``--model`` names a real one. On SageMaker pass ``--instance-type
ml.p3.2xlarge`` and a role (``SAGEMAKER_ROLE``, or run inside SageMaker): the input is
uploaded to the default bucket first, and the output lands in S3.

Run it::

    .venv/bin/python examples/12_batch_transform.py
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

from sagemaker_hf import HuggingFaceModel, Session, get_execution_role, storage

REQUESTS = [
    "this movie is terrible",
    "this movie is amazing",
    "SageMaker is pretty cool",
    "SageMaker is pretty cool",
    "this movie is terrible",
    "this movie is amazing",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a text-classification model folder (default: a tiny random one)")
    parser.add_argument("--instance-type", default="local")
    args = parser.parse_args()
    local = args.instance_type.startswith("local")
    # Local mode needs no role; on AWS name one in SAGEMAKER_ROLE, or run inside SageMaker.
    role = None if local else os.environ.get("SAGEMAKER_ROLE") or get_execution_role()

    with tempfile.TemporaryDirectory(prefix="batch-transform-") as scratch:
        model_dir = args.model
        if model_dir is None:
            from sagemaker_hf.testing import build_tiny_model

            model_dir = str(build_tiny_model("text-classification", Path(scratch) / "tiny-sentiment"))
        input_file = Path(scratch) / "input" / "input.jsonl"
        input_file.parent.mkdir()
        input_file.write_text("".join(json.dumps({"inputs": text}) + "\n" for text in REQUESTS))
        data = str(input_file) if local else Session().upload_data(input_file, key_prefix="batch/input")

        huggingface_model = HuggingFaceModel(
            model_data=model_dir,
            env={"HF_TASK": "text-classification"},
            role=role,
            transformers_version="4.26",
            pytorch_version="1.13",
            py_version="py39",
        )
        batch_job = huggingface_model.transformer(
            instance_count=1,
            instance_type=args.instance_type,
            strategy="SingleRecord",
            assemble_with="Line",  # one output line per input line (without it, outputs are concatenated)
        )
        try:
            batch_job.transform(data=data, content_type="application/json", split_type="Line")
            output_path = batch_job.describe()["TransformOutput"]["S3OutputPath"]
            output = storage.join_uri(output_path, "input.jsonl.out")
            lines = storage.read_bytes(batch_job.sagemaker_session, output).decode().splitlines()
            print(f"{len(lines)} predictions in {output}:")
            for text, line in zip(REQUESTS, lines, strict=True):
                print(f"  {text!r:30} -> {line}")
        finally:
            huggingface_model.delete_model()


if __name__ == "__main__":
    main()
