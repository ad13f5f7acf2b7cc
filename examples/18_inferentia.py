"""18 · AWS Inferentia: serve a model compiled for Neuron on an ``ml.inf1`` instance.

Notebook: ``sagemaker/18_inferentia_inference``
(``distilbert-base-uncased-finetuned-sst-2-english``). What it shows, with SDK v2's calls
and only the import changed:

1. the compile step's output: a folder with ``neuron_model.pt`` (``torch.neuron.trace``
   of the model at a fixed sequence length), the tokenizer and ``config.json``;
2. ``HuggingFaceModel(model_data=<folder>, entry_point="inference.py", source_dir=...)``:
   the folder and ``code/inference.py`` are packed into ``model.tar.gz`` and uploaded for
   you (the notebook packs and uploads by hand); ``deploy(instance_type="ml.inf1.xlarge")``
   picks the Neuron inference image from the versions, as SDK v2 did;
3. one prediction, then the endpoint and the model are deleted.

How it runs here: against AWS, so it needs an account (or a SageMaker-compatible endpoint)
and a role in ``SAGEMAKER_ROLE`` (or run it inside SageMaker). Compiling needs the Neuron
SDK (``torch-neuron``) and serving needs Inferentia, so there is no local variant. Without
``--neuron-model``, the script packs a tiny random classifier as a stand-in for the compiled
folder (what the CI does, against a moto server, set by ``AWS_ENDPOINT_URL`` alone; it
checks the Neuron image, the instance type and the uploaded archive).

Compile a real model on an inf1 instance or with the Neuron SDK, as the notebook does::

    model = AutoModelForSequenceClassification.from_pretrained(model_id, torchscript=True)
    inputs = tuple(tokenizer("dummy", max_length=128, padding="max_length", return_tensors="pt").values())
    torch.neuron.trace(model, inputs).save("neuron/neuron_model.pt")
    model.config.update({"traced_sequence_length": 128}); model.config.save_pretrained("neuron")
    tokenizer.save_pretrained("neuron")

Run it::

    SAGEMAKER_ROLE=arn:aws:iam::111122223333:role/SageMakerRole \
        .venv/bin/python examples/18_inferentia.py --neuron-model ./neuron
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

from sagemaker_hf import HuggingFaceModel, get_execution_role

CODE = Path(__file__).resolve().parent / "inferentia_code"


def stand_in_for_compiled_model(folder: Path) -> str:
    """A tiny random classifier in place of the compiled model: enough to pack, upload and deploy."""
    from sagemaker_hf.testing import build_tiny_model

    build_tiny_model("text-classification", folder)
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "traced_sequence_length": 128}))
    return str(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neuron-model", help="the compiled model's folder (default: a stand-in)")
    args = parser.parse_args()
    # Inside SageMaker the role is found for you; elsewhere name it in SAGEMAKER_ROLE.
    role = os.environ.get("SAGEMAKER_ROLE") or get_execution_role()

    with tempfile.TemporaryDirectory(prefix="inferentia-") as scratch:
        model_dir = args.neuron_model or stand_in_for_compiled_model(Path(scratch) / "neuron")
        huggingface_model = HuggingFaceModel(
            model_data=model_dir,
            entry_point="inference.py",
            source_dir=str(CODE),
            role=role,
            transformers_version="4.12",
            pytorch_version="1.9",
            py_version="py37",
        )
        predictor = huggingface_model.deploy(initial_instance_count=1, instance_type="ml.inf1.xlarge")
    try:
        print(f"prediction: {json.dumps(predictor.predict({'inputs': 'I like you. I love you'}))}")
    finally:
        predictor.delete_endpoint()
        predictor.delete_model()


if __name__ == "__main__":
    main()
