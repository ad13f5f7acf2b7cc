"""09 · Vision: fine-tune a Vision Transformer (ViT) on images, then classify an image.

Notebook: ``sagemaker/09_image_classification_vision_transformer`` (CIFAR-10,
``google/vit-base-patch16-224-in21k``). What it shows, with SDK v2's calls and only the
import changed:

1. images as one folder per label (``train/<label>/*.png``);
2. ``HuggingFace(entry_point="train_vit.py", ...).fit(...)``: the script fine-tunes a new
   classification head for the folder names and saves the model and image processor;
3. ``deploy(serializer=IdentitySerializer("image/png"))``: the endpoint takes the raw image
   bytes (as ``DataSerializer`` did in SDK v2) and answers with the labels and scores of the
   image-classification pipeline; the endpoint is deleted.

How it runs here: in local mode, offline, in seconds: the images are 32x32 squares, red or
blue with a little noise, written by the script, and the starting model is a tiny random
ViT built by ``sagemaker_hf.testing`` (``--model`` names a real one). A few epochs are
enough for the tiny model to tell the colours apart. On SageMaker, use ``ml.p3.2xlarge``,
a role, an ``s3://`` channel and ``model_name: google/vit-base-patch16-224-in21k``.

Run it::

    .venv/bin/python examples/09_vision_transformer.py
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import tempfile
from pathlib import Path

from sagemaker_hf import HuggingFace
from sagemaker_hf.serializers import IdentitySerializer

TRAINING_CODE = Path(__file__).resolve().parent / "training"
COLOURS = {"red": (200, 30, 30), "blue": (30, 30, 200)}
IMAGES_PER_LABEL = 16


def square(colour: tuple[int, int, int], noise: random.Random):
    from PIL import Image

    pixels = [tuple(max(0, min(255, c + noise.randint(-25, 25))) for c in colour) for _ in range(32 * 32)]
    image = Image.new("RGB", (32, 32))
    image.putdata(pixels)
    return image


def write_images(folder: Path) -> Path:
    noise = random.Random(0)
    for label, colour in COLOURS.items():
        (folder / label).mkdir(parents=True, exist_ok=True)
        for index in range(IMAGES_PER_LABEL):
            square(colour, noise).save(folder / label / f"{index}.png")
    return folder


def png_bytes(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    square(colour, random.Random(1)).save(buffer, format="PNG")
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a ViT-like model folder (default: a tiny random ViT)")
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # small models train faster single-threaded

    with tempfile.TemporaryDirectory(prefix="vision-") as scratch:
        train = write_images(Path(scratch) / "train")
        base_model = args.model
        if base_model is None:
            from sagemaker_hf.testing import build_tiny_model

            base_model = str(build_tiny_model("image-classification", Path(scratch) / "tiny-vit"))

        huggingface_estimator = HuggingFace(
            entry_point="train_vit.py",
            source_dir=str(TRAINING_CODE),
            instance_type="local",
            instance_count=1,
            transformers_version="4.26",
            pytorch_version="1.13",
            py_version="py39",
            hyperparameters={"epochs": args.epochs, "train_batch_size": 8, "learning_rate": 1e-3},
        )
        huggingface_estimator.fit({"train": str(train), "model": base_model})

        predictor = huggingface_estimator.deploy(
            initial_instance_count=1, instance_type="local", serializer=IdentitySerializer("image/png")
        )
        try:
            for name, colour in COLOURS.items():
                print(f"a {name} square -> {json.dumps(predictor.predict(png_bytes(colour)))}")
        finally:
            predictor.delete_endpoint()
            predictor.delete_model()


if __name__ == "__main__":
    main()
