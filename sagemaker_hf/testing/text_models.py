"""Tiny random text models: BERT heads, GPT-2, T5, BART, TAPAS and a sentence-transformers layout.

Hidden size 32, 2 layers, 2 heads; weights are random (fixed seed), so outputs are
meaningless but have the real shapes, and every checkpoint loads on transformers 4.x and 5.x.
"""

from __future__ import annotations

import json
from pathlib import Path

from sagemaker_hf.testing import tokenizers

SENTIMENT_LABELS = ["NEGATIVE", "POSITIVE"]
NLI_LABELS = ["contradiction", "neutral", "entailment"]
BIO_LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
TABLE_AGGREGATIONS = ["NONE", "SUM", "AVERAGE", "COUNT"]

_SMALL = {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 37}


def labels(names: list[str]) -> dict[str, dict]:
    return {
        "id2label": dict(enumerate(names)),
        "label2id": {name: index for index, name in enumerate(names)},
    }


def save_model(model, directory: Path) -> Path:
    model.save_pretrained(directory, safe_serialization=True)
    return directory


def seeded() -> None:
    import torch

    torch.manual_seed(0)


LABEL_SETS = {"SENTIMENT": SENTIMENT_LABELS, "NLI": NLI_LABELS, "BIO": BIO_LABELS}


def build_bert(directory: Path, head: str, label_set: str | None = None) -> Path:
    """A BERT model with the named head class (``BertForSequenceClassification``, ``BertModel``, …)
    and, for classifiers, the labels of ``LABEL_SETS[label_set]``."""
    import transformers

    vocab_size = tokenizers.save_wordpiece_tokenizer(directory)
    extra = labels(LABEL_SETS[label_set]) if label_set else {}
    config = transformers.BertConfig(vocab_size=vocab_size, max_position_embeddings=512, **_SMALL, **extra)
    seeded()
    return save_model(getattr(transformers, head)(config), directory)


def build_sentence_transformer(directory: Path) -> Path:
    """A BertModel in the sentence-transformers layout: modules.json, 1_Pooling/, 2_Normalize/."""
    build_bert(directory, "BertModel")
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ]
    pooling = {
        "word_embedding_dimension": _SMALL["hidden_size"],
        "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
    }
    (directory / "modules.json").write_text(json.dumps(modules, indent=2))
    (directory / "1_Pooling").mkdir(exist_ok=True)
    (directory / "1_Pooling" / "config.json").write_text(json.dumps(pooling, indent=2))
    (directory / "2_Normalize").mkdir(exist_ok=True)
    (directory / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": 128, "do_lower_case": False})
    )
    return directory


def build_gpt2(
    directory: Path, chat_template: str | None = None, width: int = 32, layers: int = 2, heads: int = 2
) -> Path:
    """A random GPT-2; ``width``, ``layers`` and ``heads`` make bigger ones for benchmarks."""
    import transformers

    vocab_size = tokenizers.save_byte_level_bpe_tokenizer(directory, chat_template=chat_template)
    config = transformers.GPT2Config(
        vocab_size=vocab_size,
        n_positions=512,  # room for the pipelines' default 256 new tokens
        n_embd=width,
        n_layer=layers,
        n_head=heads,
        bos_token_id=0,
        eos_token_id=0,
    )
    seeded()
    return save_model(transformers.GPT2LMHeadModel(config), directory)


def build_chat_gpt2(directory: Path) -> Path:
    """GPT-2 whose tokenizer carries a simple chat template ("role: content" lines)."""
    return build_gpt2(directory, chat_template=tokenizers.SIMPLE_CHAT_TEMPLATE)


def build_t5(directory: Path) -> Path:
    """A T5 with the summarization prefix and one translation pair in ``task_specific_params``."""
    import transformers

    vocab_size = tokenizers.save_unigram_tokenizer(directory)
    config = transformers.T5Config(
        vocab_size=vocab_size,
        d_model=32,
        d_kv=16,
        d_ff=37,
        num_layers=2,
        num_decoder_layers=2,
        num_heads=2,
        relative_attention_num_buckets=8,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
        task_specific_params={
            "summarization": {"prefix": "summarize: "},
            "translation_en_to_fr": {"prefix": "translate English to French: "},
        },
    )
    seeded()
    return save_model(transformers.T5ForConditionalGeneration(config), directory)


def build_bart(directory: Path, max_positions: int = 64) -> Path:
    """A BART summarizer whose encoder reads at most ``max_positions`` tokens (a fixed position
    table, unlike T5's), for what happens to longer inputs. Not one of the task models."""
    import transformers

    vocab_size = tokenizers.save_byte_level_bpe_tokenizer(directory, pad_with_eos=True)
    tokenizer = transformers.AutoTokenizer.from_pretrained(directory)
    config = transformers.BartConfig(
        vocab_size=vocab_size,
        d_model=32,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=37,
        decoder_ffn_dim=37,
        max_position_embeddings=max_positions,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.eos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.eos_token_id,
        forced_bos_token_id=None,
        forced_eos_token_id=None,
    )
    seeded()
    return save_model(transformers.BartForConditionalGeneration(config), directory)


def build_tapas(directory: Path) -> Path:
    """A WTQ-style TAPAS (cell selection plus aggregation); build it with the transformers under test."""
    import transformers

    directory.mkdir(parents=True, exist_ok=True)
    vocab = [*tokenizers.wordpiece_vocab(), "[EMPTY]"]
    (directory / "vocab.txt").write_text("\n".join(vocab) + "\n")
    tokenizer = transformers.TapasTokenizer(vocab_file=str(directory / "vocab.txt"), model_max_length=512)
    tokenizer.save_pretrained(directory)
    config = transformers.TapasConfig(
        vocab_size=len(vocab),
        max_position_embeddings=512,
        num_aggregation_labels=len(TABLE_AGGREGATIONS),
        aggregation_labels=dict(enumerate(TABLE_AGGREGATIONS)),
        select_one_column=True,
        allow_empty_column_selection=False,
        **_SMALL,
    )
    seeded()
    return save_model(transformers.TapasForQuestionAnswering(config), directory)
