"""Example requests for every task: the documented payloads, plus small images and sounds.

``example_request(task)`` returns a JSON-able body ``{"inputs": ..., "parameters": ...}``
that a tiny model of ``sagemaker_hf.testing`` (or a real one) answers. Images and audio are
generated here (no files), base64-encoded as the toolkit accepts them in JSON.
"""

from __future__ import annotations

import base64
import io
import math
import struct
from typing import Any

QA_INPUTS = {
    "question": "What is used for inference?",
    "context": "My Name is Philipp and I live in Nuremberg. This model is used with sagemaker for inference.",
}
TABLE_INPUTS = {
    "query": "How many stars does the transformers repository have?",
    "table": {
        "Repository": ["Transformers", "Datasets", "Tokenizers"],
        "Stars": ["36542", "4512", "3934"],
        "Contributors": ["651", "77", "34"],
        "Programming language": ["Python", "Python", "Rust, Python and NodeJS"],
    },
}
SUMMARIZATION_TEXT = (
    "Hugging Face, the winner of VentureBeat’s Innovation in Natural Language Process/Understanding Award "
    "for 2021, is looking to level the playing field. Its open tools let anyone train, share and deploy "
    "language models."
)

# The request bodies of the SageMaker Hugging Face documentation, verbatim.
DOCUMENTED_REQUESTS: dict[str, dict[str, Any]] = {
    "text-classification": {
        "inputs": "This sound track was beautiful! It paints the senery in your mind so well I would "
        "recomend it even to people who hate vid. game music!"
    },
    "token-classification": {"inputs": "My name is Sylvain and I work at Hugging Face in Brooklyn."},
    "question-answering": {"inputs": QA_INPUTS},
    "zero-shot-classification": {
        "inputs": "Hi, I recently bought a device from your company but it is not working as advertised "
        "and I would like to get reimbursed!",
        "parameters": {"candidate_labels": ["refund", "legal", "faq"]},
    },
    "table-question-answering": {"inputs": TABLE_INPUTS},
    "summarization": {
        "inputs": SUMMARIZATION_TEXT,
        "parameters": {"repetition_penalty": 4.0, "length_penalty": 1.5},
    },
}


def example_request(task: str) -> dict[str, Any]:
    """A request body for ``task`` (documented when the documentation has one)."""
    if task in DOCUMENTED_REQUESTS:
        return DOCUMENTED_REQUESTS[task]
    if task == "sentiment-analysis":
        return DOCUMENTED_REQUESTS["text-classification"]
    if task.startswith("translation"):
        return {"inputs": "My name is Sylvain and I work at Hugging Face in Brooklyn."}
    image = base64.b64encode(png_bytes()).decode("ascii")
    audio = base64.b64encode(wav_bytes()).decode("ascii")
    examples: dict[str, dict[str, Any]] = {
        "feature-extraction": {"inputs": "A man is eating food."},
        "fill-mask": {"inputs": "My name is [MASK] and I live in Nuremberg."},
        "text2text-generation": {"inputs": "summarize: " + SUMMARIZATION_TEXT},
        "text-generation": {"inputs": "Hugging Face is", "parameters": {"max_new_tokens": 8}},
        "conversational": {
            "inputs": [{"role": "user", "content": "What is SageMaker?"}],
            "parameters": {"max_new_tokens": 8},
        },
        "image-classification": {"inputs": image},
        "image-segmentation": {"inputs": image},
        "object-detection": {"inputs": image, "parameters": {"threshold": 0.0}},
        "zero-shot-image-classification": {
            "inputs": image,
            "parameters": {"candidate_labels": ["cat", "dog"]},
        },
        "audio-classification": {"inputs": audio},
        "automatic-speech-recognition": {"inputs": audio},
        "sentence-embeddings": {"inputs": ["A man is eating food.", "The stock market fell today."]},
        "sentence-similarity": {
            "inputs": {
                "source_sentence": "A man is eating food.",
                "sentences": ["A man is eating a piece of bread.", "The stock market fell today."],
            }
        },
    }
    if task not in examples:
        raise ValueError(
            f"no example request for {task!r}; known: {sorted([*DOCUMENTED_REQUESTS, *examples])}"
        )
    return examples[task]


def png_bytes(width: int = 48, height: int = 40) -> bytes:
    """A small RGB gradient as PNG."""
    from PIL import Image

    image = Image.new("RGB", (width, height))
    image.putdata([(x * 255 // width, y * 255 // height, 128) for y in range(height) for x in range(width)])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def wav_bytes(seconds: float = 0.5, sampling_rate: int = 16_000, frequency: float = 440.0) -> bytes:
    """A sine tone as 16-bit mono PCM WAV."""
    count = int(seconds * sampling_rate)
    samples = b"".join(
        struct.pack("<h", int(12_000 * math.sin(2 * math.pi * frequency * index / sampling_rate)))
        for index in range(count)
    )
    header = struct.pack("<4sI4s", b"RIFF", 36 + len(samples), b"WAVE")
    fmt = struct.pack("<4sIHHIIHH", b"fmt ", 16, 1, 1, sampling_rate, sampling_rate * 2, 2, 16)
    return header + fmt + struct.pack("<4sI", b"data", len(samples)) + samples
