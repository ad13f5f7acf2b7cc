"""What the LLM and TEI examples share: their arguments, the model, and the deploy call.

The calls are SDK v2's (``get_huggingface_llm_image_uri``, ``HuggingFaceModel(image_uri=...,
env=...)``, ``deploy(..., container_startup_health_check_timeout=300)``), with only the
import changed. Where they run:

- ``--instance-type local`` (the default): this machine, no Docker, no GPU, no network. The
  toolkit stands in for the image's container and serves its API (TGI, TEI, vLLM), so the
  requests and answers are the container's. The model is a tiny random one built on the fly
  (a GPT-2 with a chat template, or a sentence-transformers encoder), so the words it says
  mean nothing, but every shape is real; ``--model`` takes a model folder instead.
- ``--instance-type ml.g5.2xlarge`` (any SageMaker type): the real container on SageMaker,
  with the Hub model ``--model`` (an id; the container downloads it) and the role in
  ``SAGEMAKER_ROLE`` (or found inside SageMaker).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from sagemaker_hf import HuggingFaceModel, get_execution_role, get_huggingface_llm_image_uri


def arguments(description: str, hub_model: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--instance-type", default="local", help="local (default) or a SageMaker type")
    parser.add_argument(
        "--model",
        default=None,
        help=f"locally: a model folder (default: a tiny one, built now); on AWS: a Hub id ({hub_model})",
    )
    parser.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    parsed = parser.parse_args()
    parsed.local = parsed.instance_type.startswith("local")
    parsed.model = parsed.model or (None if parsed.local else hub_model)
    return parsed


def tiny_model(task: str) -> str:
    """A tiny random model for ``task`` (``conversational``: a GPT-2 with a chat template;
    ``sentence-transformers``: an encoder), in a temporary folder."""
    from sagemaker_hf.testing import build_tiny_model

    folder = Path(tempfile.mkdtemp(prefix="tiny-llm-")) / task
    return str(build_tiny_model(task, folder))


def deploy(args: argparse.Namespace, backend: str, tiny_task: str, env: dict[str, str] | None = None) -> Any:
    """Deploy ``args.model`` on the image of ``backend``; the predictor."""
    image_uri = get_huggingface_llm_image_uri(backend, region=args.region)
    print(f"image: {image_uri}")
    if args.local:
        model = HuggingFaceModel(model_data=args.model or tiny_model(tiny_task), image_uri=image_uri, env=env)
    else:
        role = os.environ.get("SAGEMAKER_ROLE") or get_execution_role()
        hub = {"HF_MODEL_ID": args.model, "SM_NUM_GPUS": json.dumps(1), **(env or {})}
        model = HuggingFaceModel(image_uri=image_uri, env=hub, role=role)
    return model.deploy(
        initial_instance_count=1,
        instance_type=args.instance_type,
        container_startup_health_check_timeout=300,
    )


def delete(predictor: Any) -> None:
    predictor.delete_model()
    predictor.delete_endpoint()
    print("deleted the endpoint and its model")
