"""Batched against one-at-a-time generation: 8 concurrent chat clients on a small causal LM.

One run of each, in the same process tree, on the same model: the TGI API
(``SAGEMAKER_HF_SERVING_API=tgi``) with batching (``SAGEMAKER_HF_MAX_BATCH_SIZE=8``), then with
batching off (``1``). Each client sends its chat completions one after another (greedy, a fixed
number of new tokens). Prints each run's throughput and the ratio. The model is a random GPT-2
of about 11M parameters (6 layers of 384), big enough that the model's compute, not HTTP,
dominates a step.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/generation_batching.py [--rounds 3] [--tokens 32]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from sagemaker_hf.testing import tokenizers
from sagemaker_hf.testing.server_process import toolkit_server
from sagemaker_hf.testing.text_models import build_gpt2

CLIENTS = 8
PROMPTS = [
    "hello there",
    "the movie was",
    "a man is eating",
    "translate English",
    "yes or no",
    "the stock market",
]


def build_model(directory: Path) -> Path:
    build_gpt2(directory, chat_template=tokenizers.SIMPLE_CHAT_TEMPLATE, width=384, layers=6, heads=6)
    size = sum(path.stat().st_size for path in directory.glob("*.safetensors"))
    print(f"model: GPT-2, {size / 4e6:.1f}M parameters", flush=True)
    return directory


def run(url: str, rounds: int, tokens: int) -> tuple[float, int]:
    """Seconds for CLIENTS clients to finish ``rounds`` chats each, and the tokens generated."""
    generated = [0] * CLIENTS
    failures: list[str] = []

    def client(index: int) -> None:
        with httpx.Client(base_url=url, timeout=300) as http:
            for round_number in range(rounds):
                prompt = PROMPTS[(index + round_number) % len(PROMPTS)]
                body = {
                    "messages": [{"role": "user", "content": f"{prompt} {index}"}],
                    "max_tokens": tokens,
                    "temperature": 0,
                }
                response = http.post("/v1/chat/completions", json=body)
                if response.status_code != 200:
                    failures.append(response.text)
                    return
                generated[index] += response.json()["usage"]["completion_tokens"]

    threads = [threading.Thread(target=client, args=(index,)) for index in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{len(failures)} request(s) failed: {failures[0][:500]}")
    return time.perf_counter() - started, sum(generated)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="chats per client (default 3)")
    parser.add_argument("--tokens", type=int, default=32, help="new tokens per chat (default 32)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="generation-batching-") as temporary:
        root = Path(temporary)
        model_dir = build_model(root / "model")
        results = {}
        for label, batch_size in (("batched (max batch 8)", "8"), ("one at a time (max batch 1)", "1")):
            env = {"SAGEMAKER_HF_SERVING_API": "tgi", "SAGEMAKER_HF_MAX_BATCH_SIZE": batch_size}
            with toolkit_server(model_dir, root / f"server-{batch_size}.log", env=env) as server:
                run(server.url, 1, 4)  # warm-up: first calls pay for lazy initialisation
                seconds, generated = run(server.url, args.rounds, args.tokens)
                calls = server.log_text().count("generate: ")
            results[label] = generated / seconds
            print(
                f"{label:30s} {CLIENTS * args.rounds} chats, {generated} tokens in {seconds:.2f} s: "
                f"{generated / seconds:.1f} tokens/s ({calls} generate calls incl. warm-up)",
                flush=True,
            )
    batched, alone = results.values()
    print(f"batched / one at a time throughput ratio: {batched / alone:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
