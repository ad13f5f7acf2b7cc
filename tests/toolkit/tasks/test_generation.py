"""Generation tasks: the seq2seq adapter (summarization, translation, text2text) forwards
generation parameters and refuses unknown ones; conversational takes chat messages and the
4.x Conversation object."""

from __future__ import annotations

import pytest

from sagemaker_hf.testing import samples
from sagemaker_hf.toolkit.errors import BadInputError

SUMMARIZATION = samples.DOCUMENTED_REQUESTS["summarization"]


@pytest.fixture
def generate_calls(task_models, monkeypatch):
    """The keyword arguments of every generate() call of the tiny T5 summarizer."""
    model = task_models("summarization")
    calls: list[dict] = []
    original = model.model.generate

    def spy(**kwargs):
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(model.model, "generate", spy)
    return model, calls


def test_documented_generation_parameters_reach_generate(generate_calls):
    model, calls = generate_calls
    result = model.predict(SUMMARIZATION["inputs"], {**SUMMARIZATION["parameters"], "max_new_tokens": 4})
    assert set(result[0]) == {"summary_text"}
    assert calls[-1]["repetition_penalty"] == 4.0 and calls[-1]["length_penalty"] == 1.5
    assert calls[-1]["max_new_tokens"] == 4
    # The T5 summarization prefix from task_specific_params is on the encoded input.
    encoded_text = model.tokenizer.decode(calls[-1]["input_ids"][0], skip_special_tokens=True)
    assert encoded_text.startswith("summarize: Hugging Face, the winner")


def test_the_4x_pipeline_generation_defaults_apply_under_the_request(generate_calls):
    model, calls = generate_calls
    model.predict("hello world", {"max_new_tokens": 2})
    assert calls[-1]["num_beams"] == 4 and calls[-1]["max_new_tokens"] == 2
    model.predict("hello world", {"max_length": 5, "num_beams": 1})
    assert "max_new_tokens" not in calls[-1] and calls[-1]["max_length"] == 5 and calls[-1]["num_beams"] == 1


def test_a_t5_input_is_not_truncated_unless_asked(generate_calls):
    model, calls = generate_calls
    long_text = "hello world " * 300  # 600 tokens and more, past the tokenizer's 512
    model.predict(long_text, {"max_new_tokens": 1})
    assert calls[-1]["input_ids"].shape[-1] > 600
    model.predict(long_text, {"max_new_tokens": 1, "truncation": True})
    assert calls[-1]["input_ids"].shape[-1] == 512


@pytest.fixture(scope="module")
def bart(tmp_path_factory):
    from sagemaker_hf.testing.text_models import build_bart
    from sagemaker_hf.toolkit.tasks import load_task_model

    directory = build_bart(tmp_path_factory.mktemp("bart") / "bart", max_positions=64)
    return load_task_model("summarization", directory, device="cpu", trust_remote_code=False)


def test_an_input_past_a_fixed_position_table_is_cut_to_it(bart):
    assert bart.position_limit == 64
    long_text = "hello world " * 40
    assert set(bart.predict(long_text, {"max_new_tokens": 3})[0]) == {"summary_text"}
    answers = bart.predict([long_text, "hello"], {"max_new_tokens": 3})  # padded together
    assert len(answers) == 2
    with pytest.raises(BadInputError, match=r"an input has \d+ tokens and this model reads at most 64"):
        bart.predict(long_text, {"max_new_tokens": 3, "truncation": False})


def test_generated_length_follows_max_new_tokens(task_models):
    model = task_models("text2text-generation")
    result = model.predict("hello world", {"max_new_tokens": 3, "return_tensors": True})
    assert set(result[0]) == {"generated_token_ids"} and len(result[0]["generated_token_ids"]) <= 4


def test_several_sequences_and_several_inputs(task_models):
    model = task_models("text2text-generation")
    two = model.predict("hello", {"max_new_tokens": 3, "num_beams": 2, "num_return_sequences": 2})
    assert len(two) == 2 and all(set(entry) == {"generated_text"} for entry in two)
    per_input = model.predict(["hello", "world", "sagemaker"], {"max_new_tokens": 3})
    assert len(per_input) == 3 and all(set(entry) == {"generated_text"} for entry in per_input)
    nested = model.predict(
        ["hello", "world"], {"max_new_tokens": 3, "num_beams": 2, "num_return_sequences": 2}
    )
    assert [len(entry) for entry in nested] == [2, 2]


@pytest.mark.parametrize(
    ("parameters", "fragment"),
    [
        ({"max_new_tokenz": 3}, "'max_new_tokenz'"),
        ({"temperature": -1.0, "do_sample": True}, "temperature"),
        ({"num_return_sequences": 3, "num_beams": 2}, "num_return_sequences"),
    ],
)
def test_bad_generation_parameters_are_bad_input(task_models, parameters, fragment):
    with pytest.raises(BadInputError) as caught:
        task_models("summarization").predict("hello world", {"max_new_tokens": 2, **parameters})
    assert fragment in caught.value.message


def test_translation_prefix_comes_from_the_task_entry_of_the_config_only(task_models):
    configured = task_models("translation_en_to_fr")
    unconfigured = task_models("translation_en_to_de")
    assert configured.prefix == "translate English to French: "
    assert unconfigured.prefix == ""  # no en→de entry in task_specific_params: none, as in 4.x
    assert set(unconfigured.predict("hello", {"max_new_tokens": 2})[0]) == {"translation_text"}
    with pytest.raises(BadInputError, match="'src_language'"):
        configured.predict("hello", {"src_language": "en"})


CONVERSATION = {"text": "And now?", "past_user_inputs": ["Hello!"], "generated_responses": ["Hi there."]}


def test_conversation_object_answers_in_the_4x_shape(task_models):
    result = task_models("conversational").predict(CONVERSATION, {"max_new_tokens": 4})
    assert set(result) == {"generated_text", "conversation"} and isinstance(result["generated_text"], str)
    assert result["conversation"] == {
        "past_user_inputs": ["Hello!", "And now?"],
        "generated_responses": ["Hi there.", result["generated_text"]],
    }


def test_conversation_messages_reach_the_chat_template(task_models, monkeypatch):
    model = task_models("conversational")
    prompts: list[str] = []
    tokenizer = model.pipeline.tokenizer
    original = tokenizer.apply_chat_template

    def spy(conversation, **kwargs):
        prompts.append(original(conversation, tokenize=False, add_generation_prompt=True))
        return original(conversation, **kwargs)

    monkeypatch.setattr(tokenizer, "apply_chat_template", spy)
    model.predict(CONVERSATION, {"max_new_tokens": 2})
    assert prompts[-1] == "<|user|>Hello!\n<|assistant|>Hi there.\n<|user|>And now?\n<|assistant|>"


def test_a_plain_string_is_one_user_turn(task_models):
    result = task_models("conversational").predict("Hello!", {"max_new_tokens": 2})
    assert result["conversation"]["past_user_inputs"] == ["Hello!"]


@pytest.mark.parametrize(
    ("inputs", "parameters", "fragment"),
    [
        (42, {}, "Send a list of messages"),
        (["Hello!", "Hi"], {}, "Send a list of messages"),
        ({"text": 42}, {}, "'text' must be a string"),
        ([{"role": "user", "content": 42}], {}, "string 'content'"),
        ([{"role": "user", "content": "hi"}], {"return_full_text": False}, "'return_full_text'"),
    ],
)
def test_conversational_input_errors(task_models, inputs, parameters, fragment):
    with pytest.raises(BadInputError) as caught:
        task_models("conversational").predict(inputs, parameters)
    assert fragment in caught.value.message


class MultilingualTokenizer:
    """Stands in for an NLLB-style tokenizer: language codes, and a forced target-language token."""

    unk_token_id = 3

    def __init__(self):
        self.codes = {"eng_Latn": 10, "fra_Latn": 11}
        self.calls = []

    def _build_translation_inputs(self, texts, *, return_tensors, src_lang, tgt_lang, truncation, padding):
        import torch

        self.calls.append((src_lang, tgt_lang))
        ids = torch.tensor([[self.codes.get(src_lang, self.unk_token_id), 5, 2] for _ in texts])
        return {
            "input_ids": ids,
            "attention_mask": torch.ones_like(ids),
            "forced_bos_token_id": self.codes.get(tgt_lang, 3),
        }

    def decode(self, ids, skip_special_tokens, clean_up_tokenization_spaces):
        return " ".join(str(int(i)) for i in ids)


class RecordingModel:
    def __init__(self):
        from transformers import GenerationConfig

        self.config = type(
            "Config", (), {"task_specific_params": None, "prefix": None, "model_type": "m2m_100"}
        )()
        self.generation_config = GenerationConfig()
        self.kwargs = []

    def generate(self, **kwargs):
        import torch

        self.kwargs.append(kwargs)
        return torch.tensor([[kwargs["forced_bos_token_id"], 7]] * len(kwargs["input_ids"]))


def test_multilingual_tokenizers_get_the_language_codes():
    from sagemaker_hf.toolkit.tasks.seq2seq import Seq2SeqTask

    tokenizer, model = MultilingualTokenizer(), RecordingModel()
    task = Seq2SeqTask("translation_eng_Latn_to_fra_Latn", model, tokenizer, "cpu")
    assert task.predict(["hello", "world"], {"max_new_tokens": 2}) == [
        {"translation_text": "11 7"},
        {"translation_text": "11 7"},
    ]
    assert tokenizer.calls[-1] == ("eng_Latn", "fra_Latn") and model.kwargs[-1]["forced_bos_token_id"] == 11
    with pytest.raises(BadInputError, match="tgt_lang 'fr' is not a language of this tokenizer"):
        task.predict("hello", {"src_lang": "eng_Latn", "tgt_lang": "fr"})


def test_a_conversation_the_chat_template_refuses_is_bad_input(task_models, monkeypatch):
    model = task_models("conversational")
    strict = (
        "{% if messages[0]['role'] != 'user' %}{{ raise_exception('Conversations must start with a user') }}"
        "{% endif %}{% for m in messages %}{{ m['content'] }}{% endfor %}"
    )
    monkeypatch.setattr(model.pipeline.tokenizer, "chat_template", strict)
    with pytest.raises(BadInputError, match="Conversations must start with a user"):
        model.predict([{"role": "assistant", "content": "Hi"}], {"max_new_tokens": 2})
