"""Fine-tune a text classifier with ``transformers.Trainer``: the script of notebooks 06, 14 and 15.

It runs in the Hugging Face PyTorch training images on SageMaker (``Trainer`` needs
``accelerate``, which the images have and this project's environment does not, so the
examples that use it send it to SageMaker, or to a moto server in the tests). The contract
is the one of ``train.py``: ``--key value`` hyperparameters with the notebooks' names, JSON
Lines of ``{"text": ..., "label": 0 or 1}`` in ``SM_CHANNEL_TRAIN`` / ``SM_CHANNEL_TEST``,
and the model saved to ``SM_MODEL_DIR``.

- Notebook 06 (metrics): ``Trainer`` logs ``{'loss': ..., 'learning_rate': ...}`` and
  ``{'eval_loss': ..., 'eval_accuracy': ...}`` lines, which ``metric_definitions`` read.
- Notebook 14 (push to the Hub): ``--push_to_hub True --hub_model_id ... --hub_strategy ...``;
  the token comes from the ``HF_TOKEN`` environment variable (``huggingface_hub`` reads it),
  never from a hyperparameter, so it is not printed in the job's log or command line.
- Notebook 15 (Training Compiler): nothing changes in the script; the compiler image and
  hyperparameters do the work.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer, Trainer, TrainingArguments


def parse_args() -> argparse.Namespace:
    def flag(text: str) -> bool:
        return text.lower() in ("true", "1", "yes")

    parser = argparse.ArgumentParser()
    parser.add_argument("--model_name", default="distilbert-base-uncased")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--train_batch_size", type=int, default=32)
    parser.add_argument("--eval_batch_size", type=int, default=64)
    parser.add_argument("--warmup_steps", type=int, default=500)
    parser.add_argument("--learning_rate", type=float, default=5e-5)
    parser.add_argument("--output_dir", default="/opt/ml/checkpoints")
    parser.add_argument("--push_to_hub", type=flag, default=False)
    parser.add_argument("--hub_model_id", default=None)
    parser.add_argument("--hub_strategy", default="every_save")
    parser.add_argument("--train_dir", default=os.environ.get("SM_CHANNEL_TRAIN"))
    parser.add_argument("--test_dir", default=os.environ.get("SM_CHANNEL_TEST"))
    parser.add_argument("--model_dir", default=os.environ.get("SM_MODEL_DIR"))
    return parser.parse_args()


class JsonLinesDataset(torch.utils.data.Dataset):
    """Every ``*.jsonl`` line of a folder, tokenized once."""

    def __init__(self, folder: str, tokenizer) -> None:
        rows = []
        for path in sorted(Path(folder).glob("*.jsonl")):
            rows += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        self.encodings = tokenizer([row["text"] for row in rows], truncation=True, padding=True)
        self.labels = [row["label"] for row in rows]

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> dict:
        item = {key: torch.tensor(values[index]) for key, values in self.encodings.items()}
        item["labels"] = torch.tensor(self.labels[index])
        return item


def compute_metrics(prediction) -> dict[str, float]:
    predicted = np.argmax(prediction.predictions, axis=-1)
    labels = prediction.label_ids
    true_positive = float(np.sum((predicted == 1) & (labels == 1)))
    precision = true_positive / max(float(np.sum(predicted == 1)), 1.0)
    recall = true_positive / max(float(np.sum(labels == 1)), 1.0)
    f1 = 2 * precision * recall / max(precision + recall, 1e-12)
    accuracy = float(np.mean(predicted == labels))
    return {"accuracy": accuracy, "f1": f1, "precision": precision, "recall": recall}


def _newer_name(callable_, newer: str, older: str) -> str:
    return newer if newer in inspect.signature(callable_).parameters else older


def main() -> None:
    args = parse_args()
    tokenizer = AutoTokenizer.from_pretrained(args.model_name)
    model = AutoModelForSequenceClassification.from_pretrained(args.model_name, num_labels=2)
    # transformers renamed evaluation_strategy (4.41) and Trainer's tokenizer (4.46): fit every image.
    evaluation = _newer_name(TrainingArguments, "eval_strategy", "evaluation_strategy")
    processing = _newer_name(Trainer, "processing_class", "tokenizer")
    training_args = TrainingArguments(
        output_dir=args.output_dir,
        num_train_epochs=args.epochs,
        per_device_train_batch_size=args.train_batch_size,
        per_device_eval_batch_size=args.eval_batch_size,
        warmup_steps=args.warmup_steps,
        learning_rate=args.learning_rate,
        logging_steps=10,
        save_strategy="epoch",
        push_to_hub=args.push_to_hub,
        hub_model_id=args.hub_model_id,
        hub_strategy=args.hub_strategy,
        **{evaluation: "epoch" if args.test_dir else "no"},
    )
    trainer = Trainer(
        model=model,
        args=training_args,
        train_dataset=JsonLinesDataset(args.train_dir, tokenizer),
        eval_dataset=JsonLinesDataset(args.test_dir, tokenizer) if args.test_dir else None,
        compute_metrics=compute_metrics,
        **{processing: tokenizer},
    )
    trainer.train()
    if args.test_dir:
        print(trainer.evaluate(), flush=True)
    trainer.save_model(args.model_dir)
    if args.push_to_hub:
        trainer.push_to_hub()


if __name__ == "__main__":
    main()
