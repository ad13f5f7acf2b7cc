"""Fine-tune a text-classification model: the training script a HuggingFace estimator runs.

It follows the SageMaker training contract, so it runs unchanged on SageMaker and in local
mode: hyperparameters arrive as ``--key value`` arguments, the data in the folder named by
``SM_CHANNEL_TRAIN`` (JSON Lines of ``{"text": ..., "label": 0 or 1}``), the starting model
in ``SM_CHANNEL_MODEL`` (or a Hub id in ``--model_name_or_path``), and the fine-tuned model
and tokenizer are saved to ``SM_MODEL_DIR``, which becomes ``model.tar.gz``.

A plain PyTorch loop keeps it short and dependency-free; ``transformers.Trainer`` works the
same way (``trainer.save_model(os.environ["SM_MODEL_DIR"])``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
from pathlib import Path

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model_name_or_path", default=os.environ.get("SM_CHANNEL_MODEL"))
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--learning_rate", type=float, default=5e-5)
    parser.add_argument("--batch_size", type=int, default=4)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--train_dir", default=os.environ.get("SM_CHANNEL_TRAIN"))
    parser.add_argument("--model_dir", default=os.environ.get("SM_MODEL_DIR"))
    return parser.parse_args()


def read_examples(folder: str) -> list[dict]:
    examples = []
    for path in sorted(Path(folder).glob("*.jsonl")):
        examples += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    if not examples:
        raise ValueError(f"no training examples (*.jsonl) in {folder}")
    return examples


def main() -> None:
    args = parse_args()
    torch.manual_seed(args.seed)
    tokenizer = AutoTokenizer.from_pretrained(args.model_name_or_path)
    model = AutoModelForSequenceClassification.from_pretrained(args.model_name_or_path, num_labels=2)
    examples = read_examples(args.train_dir)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate)

    model.train()
    step, shuffler = 0, random.Random(args.seed)
    for epoch in range(args.epochs):
        shuffler.shuffle(examples)  # batches mixing both labels
        for start in range(0, len(examples), args.batch_size):
            batch = examples[start : start + args.batch_size]
            inputs = tokenizer([e["text"] for e in batch], padding=True, truncation=True, return_tensors="pt")
            loss = model(**inputs, labels=torch.tensor([e["label"] for e in batch])).loss
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            step += 1
            # One line per step: metric_definitions can read the loss from the log.
            print(f"epoch={epoch} step={step} loss={loss.item():.4f}", flush=True)

    model.save_pretrained(args.model_dir)
    tokenizer.save_pretrained(args.model_dir)
    print(f"saved the model and tokenizer to {args.model_dir}")


if __name__ == "__main__":
    main()
