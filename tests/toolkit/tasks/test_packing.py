"""Packed sentence batches: each sentence's vector equals the one it gets alone, and packing
stays off for a model that does not follow packed inputs."""

from __future__ import annotations

import logging

import pytest
import torch

from sagemaker_hf.toolkit.tasks import load_task_model, packing

SENTENCES = [
    "Hi",
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The stock market fell today after the central bank raised interest rates for the third time.",
    "Cats sleep.",
    "Two children play football in a park on a sunny afternoon while their parents watch.",
    "The new phone's battery lasts two days, but its camera struggles in low light.",
    "Rain.",
    "Paris is the capital of France, and Berlin is the capital of Germany; both are large cities.",
    "She sells sea shells by the sea shore.",
] * 3


def vectors_alone(encoder, sentences):
    return torch.stack([encoder.encode([sentence])[0] for sentence in sentences])


def test_rows_hold_every_sentence_once_and_stay_within_the_row_size():
    lengths = [5, 60, 70, 30, 30, 3, 64, 1]
    rows = packing.plan_rows(lengths, row_tokens=64)
    assert sorted(index for row in rows for index in row) == list(range(len(lengths)))
    for row in rows:
        assert len(row) == 1 or sum(lengths[index] for index in row) <= 64
    assert [2] in rows  # longer than a row: alone
    assert len(rows) == 5  # 70 | 64 | 60+3+1 | 30+30+... first fit by decreasing length
    assert packing.packed_width(lengths, rows) == 70


def test_calls_keep_a_long_sentence_from_padding_the_short_rows():
    lengths = [300] + [12] * 31
    calls = packing.plan_calls(lengths, row_tokens=64, max_rows=32)
    assert calls[0] == [[0]]  # the long sentence runs alone
    assert sorted(index for rows in calls for row in rows for index in row) == list(range(32))
    assert packing.call_tokens(lengths, calls) == 300 + 6 * 60 + 12  # 31 short ones: 6 rows of 5, then 1
    assert packing.call_tokens(lengths, calls) < len(lengths) * 300  # what one padded call costs


def test_a_call_holds_at_most_max_rows():
    calls = packing.plan_calls([40] * 100, row_tokens=64, max_rows=32)
    assert [len(rows) for rows in calls] == [32, 32, 32, 4]


def test_minilm_packs_and_each_packed_vector_is_the_one_it_gets_alone(minilm_model_dir):
    task = load_task_model("sentence-embeddings", minilm_model_dir, device="cpu", trust_remote_code=False)
    encoder = task.encoder
    assert encoder.mask_form in packing.MASK_FORMS
    packed = encoder._packed_vectors(SENTENCES, encoder.mask_form)
    assert (packed - vectors_alone(encoder, SENTENCES)).abs().max().item() < 1e-5
    assert (encoder.encode(SENTENCES) - packed).abs().max().item() < 1e-5


@pytest.mark.parametrize("pooling", ["mean", "cls", "max", "last"])
def test_every_pooling_mode_gives_the_same_vectors_packed(task_models, pooling):
    encoder = task_models("sentence-embeddings").encoder
    assert encoder.mask_form is not None
    previous, encoder.pooling = encoder.pooling, pooling
    try:
        packed = encoder._packed_vectors(SENTENCES, encoder.mask_form)
        assert (packed - vectors_alone(encoder, SENTENCES)).abs().max().item() < 1e-5
    finally:
        encoder.pooling = previous


def test_more_rows_than_one_model_call_takes_are_split_and_kept_in_order(task_models):
    encoder = task_models("sentence-embeddings").encoder
    text = "the river runs past the old mill and on to the sea " * 5
    long_sentences = [f"{index} {text}" for index in range(40)]
    assert len(packing.plan_rows([len(ids) for ids in encoder.tokenizer(long_sentences)["input_ids"]])) > 32
    packed = encoder._packed_vectors(long_sentences, encoder.mask_form)
    assert (packed - vectors_alone(encoder, long_sentences)).abs().max().item() < 1e-5


class IgnoresPositions(torch.nn.Module):
    """A model that numbers positions itself, as some architectures do from the token ids."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    @property
    def dtype(self) -> torch.dtype:
        return self.model.dtype

    @property
    def device(self) -> torch.device:
        return self.model.device

    def forward(self, input_ids, attention_mask, token_type_ids=None, position_ids=None):
        return self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)


def test_a_model_that_ignores_packed_positions_keeps_padded_batches(task_models, tiny_models, caplog):
    from sagemaker_hf.toolkit.tasks.sentence import SentenceEncoder

    loaded = task_models("sentence-embeddings").encoder
    encoder = SentenceEncoder(
        IgnoresPositions(loaded.model), loaded.tokenizer, "cpu", loaded.pooling, loaded.max_length
    )
    with caplog.at_level("INFO", logger="sagemaker_hf.toolkit.tasks.sentence"):
        encoder.enable_packing()
    assert encoder.mask_form is None
    assert "sentence packing off" in caplog.text and "differ" in caplog.text
    assert (encoder.encode(SENTENCES) - vectors_alone(encoder, SENTENCES)).abs().max().item() < 1e-5


def test_a_half_precision_model_gets_its_mask_in_its_own_dtype(tiny_models, caplog):
    from sagemaker_hf.toolkit.tasks.sentence import SentenceEncoder

    loaded = load_task_model(
        "sentence-embeddings", tiny_models["sentence-embeddings"], device="cpu", trust_remote_code=False
    ).encoder
    encoder = SentenceEncoder(
        loaded.model.to(torch.bfloat16), loaded.tokenizer, "cpu", loaded.pooling, loaded.max_length
    )
    with caplog.at_level("INFO", logger="sagemaker_hf.toolkit.tasks.sentence"):
        encoder.enable_packing()
    assert "Error" not in caplog.text  # packed or not, never refused for its mask
    inputs, _ = packing.pack(encoder.tokenizer(SENTENCES[:3]), [[0, 1, 2]], "additive-4d", torch.bfloat16)
    assert inputs["attention_mask"].dtype == torch.bfloat16


def test_verify_names_why_packing_is_off():
    def alone(sentence):
        return torch.ones(4)

    def refuses(sentences, mask_form):
        raise TypeError("forward() got an unexpected keyword argument 'position_ids'")

    mask_form, reason = packing.verify(alone, refuses)
    assert mask_form is None
    assert all(f"{form}: TypeError" in reason for form in packing.MASK_FORMS) and "position_ids" in reason
    mask_form, reason = packing.verify(alone, lambda sentences, form: torch.ones(len(sentences), 4))
    assert mask_form == packing.MASK_FORMS[0] and "match" in reason


def test_the_packing_probe_runs_at_the_first_batch_not_at_load(tiny_models, caplog):
    # Cold start: a server whose batching is off, or that has not had a batch yet, never pays
    # for the probe; the first batch runs it once.
    with caplog.at_level(logging.INFO, logger="sagemaker_hf.toolkit.tasks.sentence"):
        model = load_task_model(
            "sentence-embeddings", tiny_models["sentence-embeddings"], device="cpu", trust_remote_code=False
        )
        model.predict("A man is eating food.", {})
        assert "sentence packing" not in caplog.text
        model.predict_batch(["one", ["two sentences", "and three"]], {})
        model.predict_batch(["four", "five"], {})
    assert caplog.text.count("sentence packing") == 1
    assert model.encoder.mask_form in (*packing.MASK_FORMS, None)
