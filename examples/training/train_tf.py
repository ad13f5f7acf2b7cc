"""Fine-tune a text classifier with Keras: the script of the TensorFlow notebooks (02 and 07).

It runs in the Hugging Face TensorFlow training image on SageMaker (TensorFlow is not
installed in this project's environment, so the examples that use it only send it to
SageMaker, or to a moto server in the tests). The training contract is the one of
``train.py``: ``--key value`` hyperparameters (``epochs``, ``train_batch_size``,
``eval_batch_size``, ``learning_rate``, ``model_name``), JSON Lines of
``{"text": ..., "label": 0 or 1}`` in ``SM_CHANNEL_TRAIN`` / ``SM_CHANNEL_TEST``, and the
model and tokenizer saved to ``SM_MODEL_DIR``.

With ``distribution={"smdistributed": {"dataparallel": {"enabled": True}}}`` (notebook 07)
SageMaker starts one copy per GPU; each reads its shard of the data through
``smdistributed.dataparallel.tensorflow`` when that library is present.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import tensorflow as tf
from transformers import AutoTokenizer, TFAutoModelForSequenceClassification


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model_name", default="distilbert-base-uncased")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--train_batch_size", type=int, default=32)
    parser.add_argument("--eval_batch_size", type=int, default=64)
    parser.add_argument("--learning_rate", type=float, default=5e-5)
    parser.add_argument("--train_dir", default=os.environ.get("SM_CHANNEL_TRAIN"))
    parser.add_argument("--test_dir", default=os.environ.get("SM_CHANNEL_TEST"))
    parser.add_argument("--model_dir", default=os.environ.get("SM_MODEL_DIR"))
    return parser.parse_args()


def read_examples(folder: str) -> list[dict]:
    examples = []
    for path in sorted(Path(folder).glob("*.jsonl")):
        examples += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return examples


def distributed_rank_and_size() -> tuple[int, int]:
    """This process's rank and the number of processes (1 process without smdistributed)."""
    try:
        import smdistributed.dataparallel.tensorflow as sdp
    except ImportError:
        return 0, 1
    sdp.init()
    return sdp.rank(), sdp.size()


def to_dataset(tokenizer, examples: list[dict], batch_size: int, shard: tuple[int, int]) -> tf.data.Dataset:
    encoded = tokenizer([e["text"] for e in examples], padding=True, truncation=True, return_tensors="np")
    labels = [e["label"] for e in examples]
    dataset = tf.data.Dataset.from_tensor_slices((dict(encoded), labels))
    rank, size = shard
    return dataset.shard(size, rank).shuffle(len(examples)).batch(batch_size)


def main() -> None:
    args = parse_args()
    shard = distributed_rank_and_size()
    tokenizer = AutoTokenizer.from_pretrained(args.model_name)
    model = TFAutoModelForSequenceClassification.from_pretrained(args.model_name, num_labels=2)
    model.compile(
        # Linear scaling: each of the `size` processes sees 1/size of every global batch.
        optimizer=tf.keras.optimizers.Adam(learning_rate=args.learning_rate * shard[1]),
        loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    train = to_dataset(tokenizer, read_examples(args.train_dir), args.train_batch_size, shard)
    model.fit(train, epochs=args.epochs, verbose=2 if shard[0] == 0 else 0)
    if args.test_dir and shard[0] == 0:
        test = to_dataset(tokenizer, read_examples(args.test_dir), args.eval_batch_size, (0, 1))
        loss, accuracy = model.evaluate(test, verbose=0)
        print(f"eval_loss={loss:.4f} eval_accuracy={accuracy:.4f}", flush=True)
    if shard[0] == 0:  # one copy writes the model
        model.save_pretrained(args.model_dir)
        tokenizer.save_pretrained(args.model_dir)


if __name__ == "__main__":
    main()
