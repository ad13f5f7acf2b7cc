"""Fine-tune an image classifier (ViT): the script of the vision notebook (09).

The SageMaker training contract, as in ``train.py``: ``--key value`` hyperparameters
(``epochs``, ``train_batch_size``, ``learning_rate``, ``model_name``), the images in
``SM_CHANNEL_TRAIN`` as one folder per label (``train/<label>/*.png``, the layout of
``datasets``' ``imagefolder``), the starting model in ``SM_CHANNEL_MODEL`` or as a Hub id,
and the fine-tuned model and image processor saved to ``SM_MODEL_DIR``. The labels come
from the folder names, so the saved model answers with them.
"""

from __future__ import annotations

import argparse
import os
import random
from pathlib import Path

import torch
from PIL import Image
from transformers import AutoImageProcessor, AutoModelForImageClassification

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model_name", default=os.environ.get("SM_CHANNEL_MODEL"))
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--train_batch_size", type=int, default=8)
    parser.add_argument("--learning_rate", type=float, default=5e-5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--train_dir", default=os.environ.get("SM_CHANNEL_TRAIN"))
    parser.add_argument("--model_dir", default=os.environ.get("SM_MODEL_DIR"))
    return parser.parse_args()


def read_images(folder: str) -> tuple[list[tuple[Path, int]], list[str]]:
    """``[(image path, label index)]`` and the label names (the sub-folder names, sorted)."""
    labels = sorted(path.name for path in Path(folder).iterdir() if path.is_dir())
    images = [
        (path, index)
        for index, label in enumerate(labels)
        for path in sorted((Path(folder) / label).iterdir())
        if path.suffix.lower() in IMAGE_SUFFIXES
    ]
    if not images:
        raise ValueError(f"no images in {folder}: expected {folder}/<label>/*.png")
    return images, labels


def main() -> None:
    args = parse_args()
    torch.manual_seed(args.seed)
    images, labels = read_images(args.train_dir)
    processor = AutoImageProcessor.from_pretrained(args.model_name)
    model = AutoModelForImageClassification.from_pretrained(
        args.model_name,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: index for index, label in enumerate(labels)},
        ignore_mismatched_sizes=True,  # a new classification head for these labels
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate)

    model.train()
    step, shuffler = 0, random.Random(args.seed)
    for epoch in range(args.epochs):
        shuffler.shuffle(images)
        for start in range(0, len(images), args.train_batch_size):
            batch = images[start : start + args.train_batch_size]
            pixels = processor([Image.open(path).convert("RGB") for path, _ in batch], return_tensors="pt")
            loss = model(**pixels, labels=torch.tensor([label for _, label in batch])).loss
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            step += 1
            print(f"epoch={epoch} step={step} loss={loss.item():.4f}", flush=True)

    model.save_pretrained(args.model_dir)
    processor.save_pretrained(args.model_dir)
    print(f"saved the model and image processor to {args.model_dir} (labels: {', '.join(labels)})")


if __name__ == "__main__":
    main()
