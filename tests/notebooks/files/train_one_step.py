"""Stand-in for a notebook's training script in local mode: one optimizer step on a tiny model.

The notebooks' own scripts (tokenized datasets from ``datasets``, Hub models of hundreds of
MB, GPUs) cannot run here; this one keeps their contract instead: hyperparameters as
``--key value`` arguments (any names: unknown ones are ignored), the model named by
``--model_id``, ``--model_name`` or ``--model_name_or_path`` (found in the offline Hub cache
the runner seeds), JSON Lines of ``{"text", "label"}`` in ``SM_CHANNEL_TRAIN``, the model
saved to ``SM_MODEL_DIR`` and, as ``output_dir`` asks, a checkpoint there too.
"""

import argparse
import json
import os
from pathlib import Path

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

parser = argparse.ArgumentParser()
parser.add_argument("--model_id", "--model_name", "--model_name_or_path", dest="model_id", required=True)
parser.add_argument("--output_dir", default=None)
args, ignored = parser.parse_known_args()
print(f"hyperparameters this stand-in ignores: {' '.join(ignored)}")

rows = [
    json.loads(line)
    for path in sorted(Path(os.environ["SM_CHANNEL_TRAIN"]).glob("*.jsonl"))
    for line in path.open()
]
tokenizer = AutoTokenizer.from_pretrained(args.model_id)
model = AutoModelForSequenceClassification.from_pretrained(args.model_id)
batch = tokenizer([row["text"] for row in rows], padding=True, truncation=True, return_tensors="pt")
loss = model(**batch, labels=torch.tensor([row["label"] for row in rows])).loss
loss.backward()
torch.optim.SGD(model.parameters(), lr=1e-3).step()
print(f"step 1 loss={loss.item():.4f}")
for folder in filter(None, {os.environ["SM_MODEL_DIR"], args.output_dir}):
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
