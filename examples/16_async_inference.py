"""16 · Asynchronous inference: requests go in through storage, results come back through storage.

Notebook: ``sagemaker/16_async_inference_hf_hub`` (a sentiment model from the Hub). What it
shows, with SDK v2's calls and only the import changed:

1. ``deploy(..., async_inference_config=AsyncInferenceConfig())`` returns an
   ``AsyncPredictor``; results go to ``output_path`` (by default
   ``s3://<default bucket>/async-endpoint-outputs/<endpoint>``);
2. ``predict_async(data)`` uploads the request and returns at once; the response's
   ``output_path`` says where the result will be, and ``get_result()`` waits for it (a
   failed request raises with the failure object's content);
3. ``predict_async(input_path=...)`` for a request that is already in storage, and
   ``predict(data)``, which sends and waits in one call;
4. the endpoint and the model are deleted.

How it runs here: in local mode, offline. Inputs and results are ``file://`` objects under
``$SAGEMAKER_HF_LOCAL_HOME/artifacts`` (``s3://`` paths work too, with your AWS
configuration). The model is a tiny random sentiment classifier built by
``sagemaker_hf.testing`` (its labels are right, its scores meaningless); ``--model`` names
a real one. On SageMaker pass ``--instance-type ml.g4dn.xlarge`` and a role
(``SAGEMAKER_ROLE``, or run inside SageMaker), and add ``HF_MODEL_ID`` as in the notebook.

Run it::

    .venv/bin/python examples/16_async_inference.py
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

from sagemaker_hf import AsyncInferenceConfig, HuggingFaceModel, Session, get_execution_role

TWEETS = [
    "I love the new SageMaker features, they make my life so much easier!",
    "The endpoint was down all morning and nobody told us.",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a text-classification model folder (default: a tiny random one)")
    parser.add_argument("--instance-type", default="local")
    args = parser.parse_args()
    local = args.instance_type.startswith("local")
    # Local mode needs no role; on AWS name one in SAGEMAKER_ROLE, or run inside SageMaker.
    role = None if local else os.environ.get("SAGEMAKER_ROLE") or get_execution_role()

    with tempfile.TemporaryDirectory(prefix="async-inference-") as scratch:
        model_dir = args.model
        if model_dir is None:
            from sagemaker_hf.testing import build_tiny_model

            model_dir = str(build_tiny_model("text-classification", Path(scratch) / "tiny-sentiment"))
        huggingface_model = HuggingFaceModel(
            model_data=model_dir,
            env={"HF_TASK": "text-classification"},
            role=role,
            transformers_version="4.26",
            pytorch_version="1.13",
            py_version="py39",
        )
        async_predictor = huggingface_model.deploy(
            initial_instance_count=1,
            instance_type=args.instance_type,
            async_inference_config=AsyncInferenceConfig(),
        )
        try:
            response = async_predictor.predict_async(data={"inputs": TWEETS[0]})
            print(f"request accepted; its result will be written to {response.output_path}")
            print(f"result: {json.dumps(response.get_result())}")

            # A request that is already in storage (the notebook uploads its tweets to S3).
            request_file = Path(scratch) / "request.json"
            request_file.write_text(json.dumps({"inputs": TWEETS[1]}))
            input_path = request_file.as_uri() if local else Session().upload_data(request_file)
            response = async_predictor.predict_async(input_path=input_path)
            print(f"result for {input_path}: {json.dumps(response.get_result())}")

            print(f"predict() sends and waits: {json.dumps(async_predictor.predict({'inputs': TWEETS}))}")
        finally:
            async_predictor.delete_endpoint()
            async_predictor.delete_model()


if __name__ == "__main__":
    main()
