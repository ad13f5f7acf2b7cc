"""Custom inference code: sentence embeddings by mean pooling, as in the documented notebook 17.

SageMaker (and local mode) unpack this folder into ``/opt/ml/model/code/`` and call the
hooks below instead of the default pipeline. The script is written for the AWS toolkit
(it imports ``sagemaker_huggingface_inference_toolkit.decoder_encoder``) and runs
unchanged on sagemaker-hf's toolkit.
"""

import torch
import torch.nn.functional as F
from sagemaker_huggingface_inference_toolkit import decoder_encoder
from transformers import AutoModel, AutoTokenizer


def model_fn(model_dir):
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModel.from_pretrained(model_dir).eval()
    return model, tokenizer


def input_fn(input_data, content_type):
    return decoder_encoder.decode(input_data, content_type)


def predict_fn(data, model_and_tokenizer):
    model, tokenizer = model_and_tokenizer
    sentences = data["inputs"] if isinstance(data["inputs"], list) else [data["inputs"]]
    encoded = tokenizer(sentences, padding=True, truncation=True, return_tensors="pt")
    with torch.inference_mode():
        states = model(**encoded).last_hidden_state
    mask = encoded["attention_mask"].unsqueeze(-1).to(states.dtype)
    pooled = (states * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
    return {"vectors": F.normalize(pooled, p=2, dim=1).tolist()}


def output_fn(prediction, accept):
    return decoder_encoder.encode(prediction, accept)
