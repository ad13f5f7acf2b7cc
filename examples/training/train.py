"""Fine-tune a text-classification model: the training script a HuggingFace estimator runs.

It follows the SageMaker training contract, so it runs unchanged on SageMaker and in local
mode: hyperparameters arrive as ``--key value`` arguments (the names of the getting-started
notebook: ``epochs``, ``train_batch_size``, ``eval_batch_size``, ``learning_rate``,
``model_name``), the data in the folders named by ``SM_CHANNEL_TRAIN`` and
``SM_CHANNEL_TEST`` (JSON Lines of ``{"text": ..., "label": 0 or 1}``), the starting model in
``SM_CHANNEL_MODEL`` or as a Hub id in ``--model_name``, and the fine-tuned model and
tokenizer are saved to ``SM_MODEL_DIR``, which becomes ``model.tar.gz``.

A plain PyTorch loop keeps it short and free of extra dependencies; with
``transformers.Trainer`` (see ``train_with_trainer.py``) the end is the same:
``trainer.save_model(os.environ["SM_MODEL_DIR"])``.
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
    parser.add_argument(
        "--model_name", "--model_name_or_path", dest="model_name", default=os.environ.get("SM_CHANNEL_MODEL")
    )
    parser.add_argument("--epochs", type=int, default=1)
    # --batch_size: the name benchmarks/local_training_overhead.py passes.
    parser.add_argument("--train_batch_size", "--batch_size", dest="train_batch_size", type=int, default=4)
    parser.add_argument("--eval_batch_size", type=int, default=16)
    parser.add_argument("--learning_rate", type=float, default=5e-5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--train_dir", default=os.environ.get("SM_CHANNEL_TRAIN"))
    parser.add_argument("--test_dir", default=os.environ.get("SM_CHANNEL_TEST"))
    parser.add_argument("--model_dir", default=os.environ.get("SM_MODEL_DIR"))
    return parser.parse_args()


def read_examples(folder: str) -> list[dict]:
    examples = []
    for path in sorted(Path(folder).glob("*.jsonl")):
        examples += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    if not examples:
        raise ValueError(f"no examples (*.jsonl) in {folder}")
    return examples


def batches(examples: list[dict], size: int):
    for start in range(0, len(examples), size):
        yield examples[start : start + size]


def evaluate(model, tokenizer, examples: list[dict], batch_size: int) -> float:
    model.eval()
    correct = 0
    with torch.inference_mode():
        for batch in batches(examples, batch_size):
            inputs = tokenizer([e["text"] for e in batch], padding=True, truncation=True, return_tensors="pt")
            predicted = model(**inputs).logits.argmax(dim=-1).tolist()
            correct += sum(int(p == e["label"]) for p, e in zip(predicted, batch, strict=True))
    return correct / len(examples)


def main() -> None:
    args = parse_args()
    if not args.model_name:
        raise SystemExit("pass --model_name (a Hub id) or a 'model' channel holding the starting model")
    torch.manual_seed(args.seed)
    tokenizer = AutoTokenizer.from_pretrained(args.model_name)
    model = AutoModelForSequenceClassification.from_pretrained(args.model_name, num_labels=2)
    examples = read_examples(args.train_dir)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate)

    step, shuffler = 0, random.Random(args.seed)
    for epoch in range(args.epochs):
        model.train()
        shuffler.shuffle(examples)  # batches mixing both labels
        for batch in batches(examples, args.train_batch_size):
            inputs = tokenizer([e["text"] for e in batch], padding=True, truncation=True, return_tensors="pt")
            loss = model(**inputs, labels=torch.tensor([e["label"] for e in batch])).loss
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            step += 1
            # One line per step: metric_definitions can read the loss from the log.
            print(f"epoch={epoch} step={step} loss={loss.item():.4f}", flush=True)

    if args.test_dir:
        accuracy = evaluate(model, tokenizer, read_examples(args.test_dir), args.eval_batch_size)
        print(f"eval_accuracy={accuracy:.4f}", flush=True)
    model.save_pretrained(args.model_dir)
    tokenizer.save_pretrained(args.model_dir)
    print(f"saved the model and tokenizer to {args.model_dir}")


if __name__ == "__main__":
    main()
