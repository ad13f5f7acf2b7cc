"""Inference code for a model compiled for AWS Inferentia (inf1) with ``torch.neuron.trace``.

The Hugging Face Neuron inference image runs this instead of a pipeline: pipelines do not
run traced Neuron models. The model folder holds what the compile step saved:
``neuron_model.pt`` (the traced model), the tokenizer files, and ``config.json`` with
``traced_sequence_length``, the fixed input length the model was traced with.
"""

import os

import torch
import torch.neuron  # registers the Neuron ops that torch.jit.load needs
from transformers import AutoConfig, AutoTokenizer

os.environ.setdefault("NEURON_RT_NUM_CORES", "1")  # one NeuronCore per model server worker
TRACED_MODEL = "neuron_model.pt"


def model_fn(model_dir):
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    config = AutoConfig.from_pretrained(model_dir)
    model = torch.jit.load(os.path.join(model_dir, TRACED_MODEL))
    return model, tokenizer, config


def predict_fn(data, model_tokenizer_config):
    model, tokenizer, config = model_tokenizer_config
    inputs = data.pop("inputs", data)
    # A traced model takes exactly the shapes it was traced with: pad to that length.
    encoded = tokenizer(
        inputs,
        return_tensors="pt",
        max_length=config.traced_sequence_length,
        padding="max_length",
        truncation=True,
    )
    with torch.inference_mode():
        logits = model(*tuple(encoded.values()))[0]
    scores = logits.softmax(dim=-1)
    best = scores.argmax(dim=-1)
    return [
        {"label": config.id2label[int(index)], "score": float(row[index])}
        for index, row in zip(best, scores, strict=True)
    ]
