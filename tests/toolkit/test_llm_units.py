"""The image-family APIs without a server: the `api` setting, the memory guard, the recorded
request fields against the request models, token limits and the grouping of generation jobs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sagemaker_hf.toolkit.__main__ import build_parser
from sagemaker_hf.toolkit.apis import generation, memory, shapes
from sagemaker_hf.toolkit.apis.context import TokenLimits
from sagemaker_hf.toolkit.apis.service import ApiService
from sagemaker_hf.toolkit.errors import BadInputError, ModelLoadError, SettingsError
from sagemaker_hf.toolkit.settings import ignored_llm_variables, load_settings
from tests.toolkit.llm_shapes import recorded

GIB = 1024**3


def test_api_setting_from_environment_and_flag():
    assert load_settings(environ={}).api == "toolkit"
    assert load_settings(environ={"SAGEMAKER_HF_SERVING_API": "tgi"}).api == "tgi"
    flags = {"api": build_parser().parse_args(["serve", "--api", "tei"]).api}
    assert load_settings(environ={"SAGEMAKER_HF_SERVING_API": "tgi"}, flags=flags).api == "tei"
    with pytest.raises(SettingsError, match="SAGEMAKER_HF_SERVING_API='djl'"):
        load_settings(environ={"SAGEMAKER_HF_SERVING_API": "djl"})


def test_tgi_token_variables_and_ignored_gpu_variables():
    settings = load_settings(
        environ={"MAX_INPUT_LENGTH": "100", "MAX_TOTAL_TOKENS": "200", "SM_NUM_GPUS": "4"}
    )
    assert (settings.max_input_tokens, settings.max_total_tokens) == (100, 200)
    assert load_settings(environ={"MAX_INPUT_TOKENS": "50", "MAX_INPUT_LENGTH": "100"}).max_input_tokens == 50
    assert ignored_llm_variables({"SM_NUM_GPUS": "4", "HF_MODEL_QUANTIZE": "gptq", "HF_TASK": "x"}) == [
        "SM_NUM_GPUS",
        "HF_MODEL_QUANTIZE",
    ]


class _Config:
    n_positions = 512


def test_token_limits_default_to_the_model_and_refuse_inverted_settings():
    limits = TokenLimits.for_model(_Config(), None, None)
    assert (limits.max_input_tokens, limits.max_total_tokens) == (511, 512)
    assert limits.new_tokens(10, None, "max_new_tokens") == 502
    with pytest.raises(ModelLoadError, match="MAX_INPUT_TOKENS=600 must be less than MAX_TOTAL_TOKENS=512"):
        TokenLimits.for_model(_Config(), 600, None)
    with pytest.raises(BadInputError, match="`max_tokens` must be strictly positive"):
        limits.new_tokens(10, 0, "max_tokens")


@pytest.mark.parametrize(
    ("family", "shape", "model"),
    [
        ("tgi", "GenerateRequest", shapes.GenerateRequest),
        ("tgi", "GenerateParameters", shapes.GenerateParameters),
        ("chat_completions", "ChatRequest", shapes.ChatRequest),
        ("tei", "EmbedRequest", shapes.EmbedRequest),
    ],
)
def test_request_models_take_exactly_the_recorded_fields(family, shape, model):
    assert sorted(model.model_fields) == sorted(recorded(family)["request_fields"][shape])


def _fake_model(directory: Path, weight_bytes: int, dtype: str = "float32") -> Path:
    directory.mkdir()
    (directory / "config.json").write_text(json.dumps({"torch_dtype": dtype, "hidden_size": 4096}))
    with open(directory / "model.safetensors", "wb") as weights:
        weights.truncate(weight_bytes)  # sparse: no disk used
    return directory


def test_memory_guard_names_the_size_the_memory_and_the_fix(tmp_path):
    model_dir = _fake_model(tmp_path / "big", 14 * GIB, dtype="bfloat16")
    assert memory.model_bytes(model_dir) == 28 * GIB  # 16-bit weights load as float32 on CPU
    with pytest.raises(ModelLoadError) as caught:
        memory.check_fits(model_dir, available=8 * GIB)
    message = caught.value.message
    assert "33.6 GiB" in message and "8.0 GiB is available" in message
    assert "smaller model" in message and "GPU instance on SageMaker" in message
    memory.check_fits(model_dir, available=40 * GIB)  # fits: no error


def test_memory_guard_estimates_from_config_without_weights(tmp_path):
    (tmp_path / "config.json").write_text(
        json.dumps({"hidden_size": 4096, "num_hidden_layers": 32, "vocab_size": 32000})
    )
    assert 6.5e9 * 4 < memory.model_bytes(tmp_path) < 7e9 * 4  # a 7B decoder


def test_memory_available_is_read_from_meminfo(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       24000000 kB\nMemAvailable:   1048576 kB\n")
    assert memory.available_bytes(meminfo) == GIB
    assert memory.available_bytes(tmp_path / "missing") is None


def test_the_worker_refuses_before_loading(tmp_path, monkeypatch):
    model_dir = _fake_model(tmp_path / "big", 2 * GIB)  # no real weights: loading would fail otherwise
    monkeypatch.setattr(memory, "available_bytes", lambda meminfo=memory.MEMINFO: GIB)
    service = ApiService(load_settings(environ={"SAGEMAKER_HF_SERVING_API": "tgi"}), model_dir, "cpu")
    with pytest.raises(ModelLoadError, match=r"needs about 2\.4 GiB .* only 1\.0 GiB is available"):
        service.setup()


def _job(max_new_tokens=4, stop=(), keep_stop=True, **sampling) -> generation.Job:
    return generation.Job([1, 2], max_new_tokens, generation.Sampling(**sampling), tuple(stop), keep_stop)


def test_groups_share_calls_by_sampling_and_run_seeded_sampling_alone():
    greedy = [_job(3), _job(9), _job(5, seed=1)]  # a seed does not matter without sampling
    sampled = [_job(do_sample=True, temperature=0.5), _job(do_sample=True, temperature=0.5)]
    seeded = [_job(do_sample=True, seed=3), _job(do_sample=True, seed=3)]
    other = [_job(do_sample=True, temperature=0.9)]
    chunks = generation.groups([*greedy, *sampled, *seeded, *other], max_size=2)
    assert [len(chunk) for chunk in chunks] == [2, 1, 2, 1, 1, 1]
    assert chunks[-2:] == [[seeded[0]], [seeded[1]]]


class _Tokenizer:
    def decode(self, ids, skip_special_tokens=True):
        return "".join(chr(96 + token) for token in ids)  # 1 -> "a", 2 -> "b", ...


class _Step:
    def __init__(self, tokens):
        self.tokens = tokens

    def reshape(self, *shape):
        return self

    def tolist(self):
        return self.tokens


def test_rows_stream_their_own_text_and_stop_on_their_own():
    pieces: dict[int, list[str]] = {0: [], 1: []}
    tgi, chat = _job(10, stop=["cd"]), _job(10, stop=["cd"], keep_stop=False)
    for row, job in enumerate((tgi, chat)):
        job.on_text = lambda text, token, row=row: pieces[row].append(text)
    router = generation.RowRouter([tgi, chat], _Tokenizer(), eos_ids={26}, between_steps=lambda: None)
    router.put(_Step([[0, 0]]))  # the prompts
    for tokens in ([1, 1], [3, 3], [4, 4], [5, 5]):
        router.put(_Step(tokens))
    assert (tgi.text, tgi.finish_reason) == ("acd", "stop_sequence")
    assert (chat.text, chat.finish_reason) == ("a", "stop_sequence")
    assert pieces == {0: ["a", "cd"], 1: ["a"]}  # "c" was held back: it may start the stop sequence
    assert tgi.token_ids == [1, 3, 4]  # nothing after the row ended


def test_unknown_fields_are_named_together():
    with pytest.raises(BadInputError, match=r"unknown fields 'parameters\.topk', 'extra'"):
        shapes.parse(shapes.GenerateRequest, {"inputs": "x", "parameters": {"topk": 1}, "extra": 1}, "TGI")


def test_an_llm_api_on_an_encoder_model_fails_to_load_with_the_fix(tiny_models):
    settings = load_settings(environ={"SAGEMAKER_HF_SERVING_API": "vllm"})
    service = ApiService(settings, tiny_models["sentence-embeddings"], "cpu")
    with pytest.raises(ModelLoadError, match=r"serves causal language models.*SAGEMAKER_HF_SERVING_API=tei"):
        service.setup()


def test_empty_prompts_are_refused():
    with pytest.raises(BadInputError, match="`inputs` cannot be empty"):
        TokenLimits(10, 20).new_tokens(0, None, "max_new_tokens")
