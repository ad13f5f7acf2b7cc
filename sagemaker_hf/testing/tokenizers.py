"""Tiny tokenizers built offline from a fixed corpus, saved so that transformers 4.x and 5.x load them.

Every builder is deterministic: the vocabularies come from sorted word lists, not from
training, so two builds write identical files.
"""

from __future__ import annotations

import json
import string
from pathlib import Path

# Words from the documented example payloads, so that they tokenize into whole words.
CORPUS = (
    "This sound track was beautiful! It paints the senery in your mind so well I would recomend it "
    "even to people who hate vid. game music! My name is Sylvain and I work at Hugging Face in Brooklyn. "
    "What is used for inference? My Name is Philipp and I live in Nuremberg. This model is used with "
    "sagemaker for inference. Hi, I recently bought a device from your company but it is not working as "
    "advertised and I would like to get reimbursed! refund legal faq How many stars does the transformers "
    "repository have? Repository Stars Contributors Programming language Python Datasets Tokenizers Rust "
    "NodeJS Hugging Face, the winner of VentureBeat's Innovation in Natural Language Process/Understanding "
    "Award for 2021, is looking to level the playing field. this movie is terrible amazing SageMaker is "
    "pretty cool A man is eating food. a piece of bread. The stock market fell today. translate English to "
    "French German summarize: hello world the a an of to and is are was were yes no user assistant system"
)

# A chat template for tiny models, in the "<|role|>" style of many chat checkpoints.
SIMPLE_CHAT_TEMPLATE = (
    "{% for message in messages %}<|{{ message['role'] }}|>{{ message['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)

_CHARACTERS = string.ascii_lowercase + string.digits + string.punctuation


def corpus_words(lowercase: bool) -> list[str]:
    text = CORPUS.lower() if lowercase else CORPUS
    words = {word.strip(string.punctuation) for word in text.split()}
    return sorted(word for word in words if word)


def wordpiece_vocab() -> list[str]:
    """BERT-style vocabulary: special tokens, characters, ``##`` characters, then corpus words."""
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    characters = list(_CHARACTERS)
    continuations = [f"##{c}" for c in string.ascii_lowercase + string.digits]
    words = [w for w in corpus_words(lowercase=True) if len(w) > 1]
    return specials + characters + continuations + words


def _fix_tokenizer_class(directory: Path, tokenizer_class: str) -> None:
    # transformers 5 writes "TokenizersBackend", which 4.x cannot load; both know this name.
    config_path = directory / "tokenizer_config.json"
    config = json.loads(config_path.read_text())
    config["tokenizer_class"] = tokenizer_class
    config_path.write_text(json.dumps(config, indent=2, sort_keys=True))


def save_wordpiece_tokenizer(
    directory: Path, model_max_length: int = 512, token_type_ids: bool = True
) -> int:
    """Write a BERT-style fast tokenizer (and vocab.txt); returns the vocabulary size.

    ``token_type_ids=False`` leaves segment ids out of the model inputs (CLIP's text model has none).
    """
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = wordpiece_vocab()
    ids = {token: index for index, token in enumerate(vocab)}
    tokenizer = Tokenizer(models.WordPiece(vocab=ids, unk_token="[UNK]", max_input_chars_per_word=100))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS]:0 $A:0 [SEP]:0",
        pair="[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1",
        special_tokens=[("[CLS]", ids["[CLS]"]), ("[SEP]", ids["[SEP]"])],
    )
    tokenizer.decoder = decoders.WordPiece(prefix="##")
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=model_max_length,
        model_input_names=["input_ids", "token_type_ids", "attention_mask"]
        if token_type_ids
        else ["input_ids", "attention_mask"],
    )
    wrapped.save_pretrained(directory)
    (directory / "vocab.txt").write_text("\n".join(vocab) + "\n")
    _fix_tokenizer_class(directory, "PreTrainedTokenizerFast")
    return len(vocab)


def save_byte_level_bpe_tokenizer(
    directory: Path, chat_template: str | None = None, pad_with_eos: bool = False
) -> int:
    """Write a GPT-2-style byte-level BPE tokenizer trained on the corpus; returns the vocabulary size.

    ``pad_with_eos`` makes the end-of-text token the padding token too (seq2seq batches need one).
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    eos = "<|endoftext|>"
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=[eos],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(CORPUS.split(". "), trainer=trainer)
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token=eos,
        eos_token=eos,
        unk_token=eos,
        pad_token=eos if pad_with_eos else None,
        model_max_length=512,
        model_input_names=["input_ids", "attention_mask"],
    )
    if chat_template is not None:
        wrapped.chat_template = chat_template
    wrapped.save_pretrained(directory)
    _fix_tokenizer_class(directory, "PreTrainedTokenizerFast")
    return tokenizer.get_vocab_size()


def unigram_vocab() -> list[tuple[str, float]]:
    """T5-style pieces: specials, then ``▁word`` pieces, then single characters (rarer, lower scores)."""
    specials = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    words = [(f"▁{w}", -5.0 - 0.01 * len(w)) for w in corpus_words(lowercase=False)]
    characters = [(c, -12.0) for c in string.ascii_letters + string.digits + string.punctuation]
    characters += [("▁", -10.0)]
    return specials + words + characters


def save_unigram_tokenizer(directory: Path) -> int:
    """Write a T5-style Unigram + Metaspace tokenizer (pad 0, eos 1, unk 2); returns the vocabulary size."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = unigram_vocab()
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=2))
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", 1)]
    )
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        pad_token="<pad>",
        eos_token="</s>",
        unk_token="<unk>",
        model_max_length=512,
        model_input_names=["input_ids", "attention_mask"],
    )
    wrapped.save_pretrained(directory)
    _fix_tokenizer_class(directory, "PreTrainedTokenizerFast")
    return len(vocab)
