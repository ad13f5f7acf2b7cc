"""The TGI family over HTTP (``SAGEMAKER_HF_SERVING_API=tgi``) on a tiny chat GPT-2: TGI's
generate and Messages API answers, events and errors, checked against the shapes recorded
from TGI's OpenAPI document (``tests/toolkit/shapes/``), and batched generation."""

from __future__ import annotations

import json
import re
import threading

import pytest

from tests.fixtures.toolkit_server import running_server
from tests.toolkit.llm_shapes import check, event_data, recorded

# The LLM images' GPU settings, as a Hub snippet sets them: they must not stop the server.
TGI_ENV = {
    "SAGEMAKER_HF_SERVING_API": "tgi",
    "SM_NUM_GPUS": "1",
    "MAX_BATCH_PREFILL_TOKENS": "2048",
    "HF_MODEL_QUANTIZE": "bitsandbytes",
    "MESSAGES_API_ENABLED": "true",
    "SAGEMAKER_HF_MAX_BATCH_SIZE": "4",
    "SAGEMAKER_HF_MAX_BATCH_DELAY_MS": "400",
    "OMP_NUM_THREADS": "1",
}
CHAT = [{"role": "user", "content": "hello there"}]


@pytest.fixture(scope="module")
def server(tiny_models):
    with running_server(tiny_models["conversational"], env=TGI_ENV) as server:
        yield server


def post(server, path: str, body: dict, **headers: str):
    return server.client.post(path, json=body, headers=headers)


def generate(server, inputs: str = "hello world", **parameters) -> dict:
    response = post(
        server, "/generate", {"inputs": inputs, "parameters": {"max_new_tokens": 8, **parameters}}
    )
    assert response.status_code == 200, response.text
    return response.json()


def chat(server, path: str = "/v1/chat/completions", **fields) -> dict:
    response = post(server, path, {"messages": CHAT, "max_tokens": 8, "temperature": 0, **fields})
    assert response.status_code == 200, response.text
    return response.json()


def test_gpu_settings_of_the_llm_images_are_accepted_and_named(server):
    log = server.wait_for_log("no effect here")
    assert "SM_NUM_GPUS, MAX_BATCH_PREFILL_TOKENS, HF_MODEL_QUANTIZE, MESSAGES_API_ENABLED" in log


def test_invocations_answers_a_list_and_generate_an_object_with_details(server):
    body = {"inputs": "hello world", "parameters": {"max_new_tokens": 5, "details": True}}
    listed = post(server, "/invocations", body).json()
    check(listed, "tgi", "[GenerateResponse]")
    assert len(listed) == 1
    details = listed[0]["details"]
    assert details["generated_tokens"] == len(details["tokens"]) <= 5
    assert details["finish_reason"] in recorded("tgi")["finish_reasons"]
    alone = generate(server, max_new_tokens=5)
    check(alone, "tgi", "GenerateResponse")
    assert "details" not in alone and alone["generated_text"] == listed[0]["generated_text"]


def test_return_full_text_and_decoder_input_details(server):
    plain = generate(server, "hello world")
    full = generate(server, "hello world", return_full_text=True, details=True, decoder_input_details=True)
    assert full["generated_text"] == "hello world" + plain["generated_text"]
    check(full, "tgi", "GenerateResponse")
    assert [token["text"] for token in full["details"]["prefill"]]  # the prompt's tokens


def test_generate_stream_events_concatenate_to_the_answer(server):
    response = post(
        server,
        "/generate_stream",
        {"inputs": "hello world", "parameters": {"max_new_tokens": 8, "details": True}},
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    events = [json.loads(data) for data in event_data(response.text)]
    for event in events:
        check(event, "tgi", "StreamResponse")
    assert [event["index"] for event in events] == list(range(1, len(events) + 1))
    assert all(event["generated_text"] is None for event in events[:-1])
    streamed = "".join(event["token"]["text"] for event in events)
    assert streamed == events[-1]["generated_text"] == generate(server)["generated_text"]
    assert (
        events[-1]["details"]["generated_tokens"] == 8 or events[-1]["details"]["finish_reason"] != "length"
    )
    body = {"inputs": "hello world", "parameters": {"max_new_tokens": 8}, "stream": True}
    invoked = [json.loads(data) for data in event_data(post(server, "/invocations", body).text)]
    assert invoked[-1]["generated_text"] == streamed and invoked[-1]["details"] is None


def test_stop_sequences_end_the_text_as_tgi_does(server):
    text = generate(server, max_new_tokens=12)["generated_text"]
    assert len(text) >= 6, text
    stop = text[3:5]
    stopped = generate(server, max_new_tokens=12, stop=[stop], details=True)
    assert stopped["generated_text"] == text[: text.find(stop) + len(stop)]  # TGI keeps the stop sequence
    assert stopped["details"]["finish_reason"] == "stop_sequence"


def test_chat_completion_at_both_routes(server):
    answer = chat(server)
    check(answer, "chat_completions", "ChatCompletion")
    assert answer["object"] == "chat.completion" and answer["choices"][0]["message"]["role"] == "assistant"
    usage = answer["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    invoked = chat(server, "/invocations")
    assert invoked["choices"][0]["message"]["content"] == answer["choices"][0]["message"]["content"]


def test_chat_stream_chunks_concatenate_to_the_answer_and_end_with_done(server):
    response = post(
        server, "/invocations", {"messages": CHAT, "max_tokens": 8, "temperature": 0, "stream": True}
    )
    data = event_data(response.text)
    assert data[-1] == "[DONE]" and recorded("chat_completions")["done_event"] == "data: [DONE]"
    chunks = [json.loads(item) for item in data[:-1]]
    for chunk in chunks:
        check(chunk, "chat_completions", "ChatCompletionChunk")
        assert chunk["object"] == "chat.completion.chunk"
    assert len({chunk["id"] for chunk in chunks}) == 1
    assert [chunk["choices"][0]["finish_reason"] for chunk in chunks][-1] in ("stop", "length")
    streamed = "".join(chunk["choices"][0]["delta"]["content"] for chunk in chunks)
    assert streamed == chat(server)["choices"][0]["message"]["content"]


def test_chat_drops_the_stop_sequence(server):
    text = chat(server, max_tokens=12)["choices"][0]["message"]["content"]
    assert len(text) >= 6, text
    stop = text[3:5]
    stopped = chat(server, max_tokens=12, stop=stop)
    assert stopped["choices"][0]["message"]["content"] == text[: text.find(stop)]
    assert stopped["choices"][0]["finish_reason"] == "stop"


@pytest.mark.parametrize(
    ("path", "body", "named"),
    [
        ("/generate", {"inputs": "hi", "parameters": {"max_new_token": 3}}, "'parameters.max_new_token'"),
        ("/invocations", {"inputs": "hi", "options": {}}, "'options'"),
        ("/v1/chat/completions", {"messages": CHAT, "max_token": 3}, "'max_token'"),
    ],
)
def test_unknown_fields_are_a_400_that_names_them(server, path, body, named):
    response = post(server, path, body)
    assert response.status_code == 400
    assert named in response.json()["message"]


def test_too_long_inputs_are_a_400_in_tgi_words(server):
    response = post(server, "/generate", {"inputs": "hello " * 600})
    assert response.status_code == 400
    assert re.search(r"`inputs` must have less than 511 tokens. Given: \d+", response.json()["message"])
    response = post(server, "/generate", {"inputs": "hello", "parameters": {"max_new_tokens": 600}})
    assert response.status_code == 400
    assert "`inputs` tokens + `max_new_tokens` must be <= 512" in response.json()["message"]


def test_unsupported_settings_are_refused_by_name(server):
    response = post(
        server, "/v1/chat/completions", {"messages": CHAT, "n": 2, "tools": [{"type": "function"}]}
    )
    assert response.status_code == 400
    assert "n: one choice" in response.json()["message"] and "tools" in response.json()["message"]


def concurrently(server, bodies: list[tuple[str, dict]]) -> list:
    answers: list = [None] * len(bodies)

    def send(index: int) -> None:
        answers[index] = post(server, *bodies[index])

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_concurrent_chats_share_one_generate_call_with_their_own_limits(server):
    prompts = ["hello there", "the movie was", "a man is eating", "translate English"]
    alone = [
        chat(server, messages=[{"role": "user", "content": text}], max_tokens=3 + 2 * i)
        for i, text in enumerate(prompts)
    ]
    bodies = [
        (
            "/v1/chat/completions",
            {"messages": [{"role": "user", "content": text}], "max_tokens": 3 + 2 * i, "temperature": 0},
        )
        for i, text in enumerate(prompts)
    ]
    batched = [response.json() for response in concurrently(server, bodies)]
    server.wait_for_log("generate: 4 request(s) in one call (up to 9 new tokens, greedy)")
    for single, shared in zip(alone, batched, strict=True):
        assert (
            shared["choices"][0]["message"] == single["choices"][0]["message"]
        )  # left padding changes nothing
        assert shared["usage"] == single["usage"]


def test_streams_batch_with_other_requests(server):
    stream_body = {"messages": CHAT, "max_tokens": 6, "temperature": 0, "stream": True}
    plain_body = {"inputs": "hello world", "parameters": {"max_new_tokens": 6}}
    answers = concurrently(
        server, [("/invocations", stream_body), ("/generate_stream", plain_body), ("/generate", plain_body)]
    )
    server.wait_for_log("generate: 3 request(s) in one call (up to 6 new tokens, greedy)")
    chunks = [json.loads(item) for item in event_data(answers[0].text)[:-1]]
    assert (
        "".join(chunk["choices"][0]["delta"]["content"] for chunk in chunks)
        == chat(server, max_tokens=6)["choices"][0]["message"]["content"]
    )
    events = [json.loads(item) for item in event_data(answers[1].text)]
    assert events[-1]["generated_text"] == answers[2].json()["generated_text"]


def test_seeded_sampling_runs_alone_and_reproduces(server):
    seeded = {"messages": CHAT, "max_tokens": 8, "temperature": 1.5, "seed": 7}
    first = chat(server, **seeded)
    unseeded = {"messages": CHAT, "max_tokens": 8, "temperature": 1.5}
    answers = concurrently(
        server,
        [
            ("/v1/chat/completions", seeded),
            ("/v1/chat/completions", unseeded),
            ("/v1/chat/completions", seeded),
        ],
    )
    texts = [answer.json()["choices"][0]["message"]["content"] for answer in answers]
    assert texts[0] == texts[2] == first["choices"][0]["message"]["content"]


def test_chat_goes_through_the_tokenizers_chat_template(server, tiny_models):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_models["conversational"])
    templated = "<|user|>hello there\n<|assistant|>"  # tokenizers.SIMPLE_CHAT_TEMPLATE, rendered
    assert tokenizer.apply_chat_template(CHAT, add_generation_prompt=True, tokenize=False) == templated
    prompt_tokens = len(tokenizer(templated, add_special_tokens=False)["input_ids"])
    assert (
        chat(server)["usage"]["prompt_tokens"] == prompt_tokens != len(tokenizer("hello there")["input_ids"])
    )


def test_a_client_that_leaves_stops_its_row_only(server):
    body = {"messages": CHAT, "max_tokens": 500, "temperature": 0, "stream": True}
    with server.client.stream("POST", "/v1/chat/completions", json=body) as response:
        assert next(response.iter_lines()).startswith("data: ")
    log = server.wait_for_log("cancelled after")
    assert re.search(r"stream \d+ cancelled after \d+ token\(s\)", log)
    assert chat(server)["object"] == "chat.completion"  # the worker serves on
