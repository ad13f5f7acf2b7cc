"""``python -m sagemaker_hf.toolkit serve`` (also ``sagemaker-hf serve``): the container's entry point."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sagemaker_hf.toolkit.errors import SettingsError
from sagemaker_hf.toolkit.settings import FLAGS, load_settings

_ENVIRONMENT_HELP = """\
environment variables (flags override them):
  SM_MODEL_DIR                     model directory (default /opt/ml/model)
  HF_MODEL_ID, HF_MODEL_REVISION   download this Hub model (at this revision) instead
  HF_API_TOKEN or HF_TOKEN         Hub token for private or gated models (never logged)
  HF_TASK                          task; inferred from config.json when unset
  HF_TRUST_REMOTE_CODE             allow custom model code from the model (default false)
  SAGEMAKER_PROGRAM                user module in the code directory (default inference.py)
  SAGEMAKER_SUBMIT_DIRECTORY       code directory (default <model dir>/code)
  SAGEMAKER_MODEL_SERVER_WORKERS   model worker processes (default: one per GPU, else 1)
  SAGEMAKER_MODEL_SERVER_TIMEOUT   seconds a request may take (default 60)
  SAGEMAKER_MAX_PAYLOAD_IN_MB      largest request body (default 6)
  SAGEMAKER_BIND_TO_PORT           port (default 8080)
  SAGEMAKER_CONTAINER_LOG_LEVEL    log level, a name or a number such as 20 (default INFO)
  SAGEMAKER_HF_MAX_BATCH_SIZE      requests per model call; 1 turns batching off (default 32)
  SAGEMAKER_HF_MAX_BATCH_DELAY_MS  fixed wait for more requests to fill a batch; unset: a worker waits
                                   for the clients it just answered (at most 1/10 of that batch, 50 ms)
  SAGEMAKER_HF_MAX_QUEUE_SIZE      waiting requests before 503 (default: 128 per worker)
  SAGEMAKER_HF_MAX_HEADER_BYTES    largest request head, in bytes; more is a 431 (default 32768)
  SAGEMAKER_HF_MAX_HEADER_COUNT    most header fields in a request; more is a 431 (default 100)
  SAGEMAKER_HF_HEADER_TIMEOUT      seconds for a request head to arrive, else 408 (default 30)
  SAGEMAKER_HF_BODY_TIMEOUT        longest silence while a body arrives, else 408 (default 30)
  SAGEMAKER_HF_KEEP_ALIVE_TIMEOUT  seconds an idle connection stays open (default 75)
  SAGEMAKER_HF_MAX_CONNECTIONS     open connections; the longest-idle is closed at the cap (default 1000)
  OMP_NUM_THREADS                  torch threads per worker (default: cores / workers)
  OMP_WAIT_POLICY                  OpenMP's idle threads: PASSIVE (default, they sleep) or ACTIVE (they spin)
  SAGEMAKER_HF_LANES               batches a worker runs at once, one thread each (default: one per core, up
                                   to 4, for sentence-embeddings, sentence-similarity and
                                   feature-extraction on CPU; else 1)
  SAGEMAKER_HF_SERVING_API         toolkit (default), tgi, tei, vllm or sglang: the API served
  MAX_INPUT_TOKENS, MAX_TOTAL_TOKENS  LLM APIs: prompt and prompt + new tokens limits (TGI's names)

routes: GET /ping, POST /invocations, GET /execution-parameters, GET /info, GET /metrics
  with --api tgi: also POST /generate, /generate_stream, /v1/chat/completions
  with --api vllm or sglang: also POST /v1/chat/completions; with --api tei: also POST /embed
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sagemaker-hf", description="The in-container inference server for Hugging Face models."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    serve = commands.add_parser(
        "serve",
        help="serve /ping and /invocations (what SageMaker runs in the container)",
        description="Serve a Hugging Face model the way SageMaker expects: GET /ping, POST /invocations.",
        epilog=_ENVIRONMENT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--model-dir", type=Path, help="model directory, holding config.json and code/")
    serve.add_argument("--host", help="address to listen on (default 0.0.0.0; 127.0.0.1 for local use)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8080)")
    serve.add_argument("--workers", type=int, help="model worker processes, each with its own model copy")
    serve.add_argument("--timeout", type=float, help="seconds a request may take before a 504 (default 60)")
    serve.add_argument("--max-payload-mb", type=int, help="largest request body in MB (default 6)")
    serve.add_argument("--task", dest="hf_task", help="task, such as text-classification (default: inferred)")
    serve.add_argument("--log-level", help="DEBUG, INFO, WARNING, ERROR or a number (default INFO)")
    serve.add_argument("--max-batch-size", type=int, help="requests per model call; 1 turns batching off")
    serve.add_argument(
        "--max-batch-delay-ms", type=float, help="fixed wait to fill a batch (default: refill, see below)"
    )
    serve.add_argument(
        "--max-queue-size", type=int, help="waiting requests before 503 (default 128 per worker)"
    )
    serve.add_argument(
        "--api",
        choices=("toolkit", "tgi", "tei", "vllm", "sglang"),
        help="the API served: the toolkit's (default) or an image family's (TGI, TEI, vLLM, SGLang)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    flags = {field: getattr(args, field) for field in FLAGS}
    try:
        settings = load_settings(flags=flags)
    except SettingsError as error:
        print(f"sagemaker-hf serve: {error}", file=sys.stderr)
        return 2
    from sagemaker_hf.toolkit.server import serve

    return serve(settings)


if __name__ == "__main__":
    sys.exit(main())
