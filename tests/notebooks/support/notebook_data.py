"""Small local data for the notebook scripts' replaced data-loading cells.

The notebooks load datasets from the Hugging Face Hub with ``datasets`` and save them to S3
(``dataset.save_to_disk("s3://...")``, ``dataset.to_json("s3://...")``). Here a
:class:`SmallDataset` holds a few rows in memory and writes them as JSON Lines, to S3 through
boto3 (configured like every client of the script: ``AWS_ENDPOINT_URL``, the identity's
credentials) or to a local folder, so the cells that save and upload stay as the notebook
has them. The rows reuse the examples' labelled reviews (``examples/sample_data.py``, on the
scripts' ``PYTHONPATH``), whose JSON Lines ``examples/training/*.py`` read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sample_data import REVIEWS

DIALOGUES = [
    {
        "id": "1",
        "dialogue": "Jeff: Can I train a model on SageMaker?\nPhilipp: Sure, with the Hugging Face DLC.",
        "summary": "Philipp tells Jeff he can train a model on SageMaker.",
    },
    {
        "id": "2",
        "dialogue": "Amanda: I baked cookies. Do you want some?\nJerry: Sure!",
        "summary": "Amanda baked cookies and will bring Jerry some.",
    },
]


class SmallDataset:
    """A few rows standing in for a ``datasets.Dataset``: indexing, length, and saving."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> dict[str, Any]:
        # Wraps around: the notebooks draw ``randint(0, len(dataset))``, whose upper end is one past
        # the last row (one draw in len+1 raises with ``datasets``; a test must not be flaky).
        return self.rows[index % len(self.rows)]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def rename_column(self, original: str, new: str) -> SmallDataset:
        return SmallDataset(
            [{(new if key == original else key): value for key, value in row.items()} for row in self.rows]
        )

    def add_column(self, name: str, column: Any) -> SmallDataset:
        return SmallDataset([{**row, name: value} for row, value in zip(self.rows, column, strict=True)])

    def jsonl(self) -> bytes:
        return "".join(json.dumps(row) + "\n" for row in self.rows).encode()

    def save_to_disk(self, dataset_path: str, num_shards: int | None = None, fs: Any = None) -> None:
        """``<dataset_path>/data.jsonl`` (``datasets`` writes Arrow shards; the jobs here read JSON Lines)."""
        _write(f"{dataset_path.rstrip('/')}/data.jsonl", self.jsonl())

    def to_json(self, path_or_buf: str, orient: str = "records") -> None:
        _write(path_or_buf, self.jsonl())

    def train_test_split(self, test_size: float) -> dict[str, SmallDataset]:
        cut = max(1, round(len(self.rows) * test_size))
        return {"train": SmallDataset(self.rows[cut:]), "test": SmallDataset(self.rows[:cut])}


def reviews(split: list[str]) -> list[SmallDataset]:
    """``load_dataset("imdb", split=["train", "test"])``: labelled reviews, the test split every third one."""
    rows = [{"text": text, "label": label} for text, label in REVIEWS]
    chosen = {"train": rows, "test": rows[::3]}
    return [SmallDataset(chosen[name]) for name in split]


def dialogues(split: str) -> SmallDataset:
    """``load_dataset("samsum", split=...)``: two dialogues with their summaries."""
    return SmallDataset(list(DIALOGUES))


def images(split: list[str]) -> list[SmallDataset]:
    """``load_dataset("cifar10", split=[...])``, processed: 2x2 RGB images as pixel values, with labels."""
    rows = [
        {"pixel_values": [[[shade] * 2] * 2] * 3, "label": label} for shade, label in ((0.1, 0), (0.9, 1))
    ]
    return [SmallDataset(rows * 2) for _ in split]


def instructions(split: str) -> SmallDataset:
    """``load_dataset("databricks/databricks-dolly-15k", split=...)``: two instructions."""
    return SmallDataset(
        [
            {
                "instruction": "Name a primary colour.",
                "context": "",
                "response": "Red.",
                "category": "open_qa",
            },
            {
                "instruction": "Where does Philipp live?",
                "context": "My name is Philipp and I live in Nuremberg.",
                "response": "In Nuremberg.",
                "category": "closed_qa",
            },
        ]
    )


def questions(split: str) -> SmallDataset:
    """``load_dataset("philschmid/finanical-rag-embedding-dataset", split=...)``: question/context pairs."""
    return SmallDataset(
        [
            {
                "question": f"What was the revenue in quarter {quarter}?",
                "context": f"Revenue in Q{quarter} was {quarter}0 M$.",
            }
            for quarter in range(1, 5)
        ]
    )


class _Tokenizer:
    def __init__(self) -> None:
        self.special_tokens_map_extended = {
            "additional_special_tokens": ["<s_total>", "</s_total>", "<s>", "</s>"]
        }


class DocumentProcessor:
    """Stands in for the Donut processor the notebook loads from the Hub (only what later cells use)."""

    def __init__(self) -> None:
        self.tokenizer = _Tokenizer()

    def token2json(self, tokens: str) -> dict[str, str]:
        total = tokens.split("<s_total>")[-1].split("</s_total>")[0]
        return {"total": total}


def documents() -> tuple[dict[str, SmallDataset], DocumentProcessor]:
    """The notebook's processed receipts (pixel values, labels, target sequence) and its processor."""
    rows = [
        {
            "pixel_values": [[[0.5] * 4] * 4] * 3,
            "labels": [1, 2, 3],
            "target_sequence": f"<s><s_total>{total}</s_total></s>",
        }
        for total in ("9.00", "12.50")
    ]
    return {"train": SmallDataset(rows), "test": SmallDataset(rows)}, DocumentProcessor()


class Fetched:
    def __init__(self, text: str) -> None:
        self.text = text


def fetch(url: str) -> Fetched:
    """A download from GitHub (offline here): a stand-in script that names what it stands for."""
    return Fetched(f'print("stand-in for {url}: on moto no training job runs")\n')


def _write(uri: str, body: bytes) -> None:
    if uri.startswith("s3://"):
        import boto3

        bucket, _, key = uri.removeprefix("s3://").partition("/")
        boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=body)
        return
    path = Path(uri)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
