"""The worker's side of the image-family APIs: load the model, answer each batch of requests.

A batch (one :class:`~..messages.Invoke`, up to ``SAGEMAKER_HF_MAX_BATCH_SIZE`` requests,
streamed ones included) is decoded request by request (a bad one gets its 400 at once),
then its generation jobs run in as few ``generate`` calls as their sampling allows
(:func:`.generation.groups`). Streamed requests get a :class:`~..messages.Chunk` per new
piece of text as the shared call produces it, then their last events; the others get
their answer when their group's call ends. Between steps the worker reads the pipe for
cancelled streams (a client that left stops its row, not the batch).
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from sagemaker_hf.toolkit import media_types, messages, sse
from sagemaker_hf.toolkit.apis import LLM_APIS, generation, memory, tei
from sagemaker_hf.toolkit.apis.context import LlmContext, TokenLimits
from sagemaker_hf.toolkit.apis.openai_chat import ChatCall
from sagemaker_hf.toolkit.apis.tgi import GenerateCall
from sagemaker_hf.toolkit.errors import BadInputError, ModelError, ModelLoadError, ToolkitError
from sagemaker_hf.toolkit.settings import Settings, ignored_llm_variables

logger = logging.getLogger(__name__)

Call = GenerateCall | ChatCall


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as error:
        raise BadInputError(f"the body is not valid JSON: {error}") from None


def _failure(request: messages.Request, error: BaseException) -> messages.Failure:
    if not isinstance(error, ToolkitError):
        logger.error("request %d failed", request.request_id, exc_info=error)
        error = ModelError(f"generation failed: {type(error).__name__}: {error}")
    return messages.Failure(request.request_id, error.type, error.message)


class ApiService:
    """One loaded model answering one family's API. The worker's RequestLoop hands it every
    Invoke (``runs_invokes``) and it sends the replies itself."""

    runs_invokes = True
    accepts_csv = False
    batchable = True

    def __init__(self, settings: Settings, model_dir: Path, device: str) -> None:
        self.settings = settings
        self.api = settings.api
        self.streams = self.api in LLM_APIS
        self.task = "text-generation" if self.streams else "feature-extraction"
        self.model_dir = model_dir
        self.device = device
        self.model: Any = None
        self.context: LlmContext | None = None
        self.embedder: tei.Embedder | None = None

    # ------------------------------------------------------------------ load

    def setup(self) -> None:
        ignored = ignored_llm_variables()
        if ignored:
            logger.info("no effect here (no GPU, one process per worker): %s", ", ".join(ignored))
        if self.device == "cpu":
            memory.check_fits(self.model_dir)
        if self.api == "tei":
            from sagemaker_hf.toolkit.tasks import sentence

            task = sentence.load(
                "sentence-embeddings",
                self.model_dir,
                device=self.device,
                trust_remote_code=self.settings.trust_remote_code,
            )
            self.embedder = tei.Embedder(task.encoder, self.model_dir)
            return
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        trust = self.settings.trust_remote_code
        try:
            _require_causal_lm(self.model_dir)
            tokenizer = AutoTokenizer.from_pretrained(self.model_dir, trust_remote_code=trust)
            self.model = AutoModelForCausalLM.from_pretrained(
                self.model_dir, trust_remote_code=trust, torch_dtype=torch.float32
            )
        except (ValueError, OSError, KeyError) as error:
            raise ModelLoadError(
                f"the {self.api} API serves causal language models, and {self.model_dir} does not load as "
                f"one ({type(error).__name__}: {error}). Serve a text-generation model, or set "
                "SAGEMAKER_HF_SERVING_API=tei for an embedding model (toolkit for the other tasks)"
            ) from error
        tokenizer.padding_side = "left"
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token or tokenizer.unk_token
        self.model.to(self.device).eval()
        limits = TokenLimits.for_model(
            self.model.config, self.settings.max_input_tokens, self.settings.max_total_tokens
        )
        name = self.settings.hf_model_id or self.model_dir.name
        self.context = LlmContext(self.api, name, tokenizer, limits)
        logger.info(
            "serving the %s API: prompts up to %d tokens, prompt + new tokens up to %d",
            self.api,
            limits.max_input_tokens,
            limits.max_total_tokens,
        )

    # ------------------------------------------------------------------ requests

    def call_for(self, route: str | None, data: Any) -> Call:
        assert self.context is not None
        if route in ("generate", "generate_stream"):
            return GenerateCall(self.context, data, route)
        if route == "chat" or (isinstance(data, dict) and "messages" in data):
            return ChatCall(self.context, data)
        if self.api == "tgi" and isinstance(data, dict) and "inputs" in data:
            return GenerateCall(self.context, data, "invocations")
        takes = 'TGI generate {"inputs", "parameters"} or chat completions {"messages"}'
        if self.api != "tgi":
            takes = 'chat completions, {"messages": [{"role": "user", "content": "..."}]}'
        raise BadInputError(f"/invocations of the {self.api} API takes {takes}; the body has neither")

    def run_invoke(self, requests: tuple[messages.Request, ...], loop: Any) -> None:
        """Answer every request of one Invoke through ``loop.send`` (the worker's RequestLoop)."""
        if self.embedder is not None:
            self._embed(requests, loop)
            return
        started = time.perf_counter()
        calls: dict[int, tuple[messages.Request, Call]] = {}
        for request in requests:
            try:
                call = self.call_for(request.route, _json(request.body))
            except Exception as error:
                loop.send(_failure(request, error))
                continue
            call.stream = request.stream  # the front decided (body or Accept), as it answers
            if call.stream:
                call.job.on_text = self._streamer(loop, request.request_id, call)
            calls[id(call.job)] = (request, call)
        jobs = [call.job for _, call in calls.values()]
        assert self.context is not None
        for group in generation.groups(jobs, self.settings.max_batch_size):
            try:
                generation.run_together(
                    self.model, self.context.tokenizer, group, lambda: self._between_steps(loop, calls)
                )
            except Exception as error:
                for job in group:
                    loop.send(_failure(calls[id(job)][0], error))
                continue
            timings = {"predict": time.perf_counter() - started}
            loop.send_all([self._reply(*calls[id(job)], timings) for job in group])

    @staticmethod
    def _streamer(loop: Any, request_id: int, call: Call) -> Any:
        def send(piece: str, token_id: int) -> None:
            loop.send(messages.Chunk(request_id, call.event(piece, token_id)))

        return send

    @staticmethod
    def _reply(request: messages.Request, call: Call, timings: dict[str, float]) -> messages.Reply:
        if call.stream:
            return messages.Reply(request.request_id, call.final(), sse.EVENT_STREAM, timings)
        return messages.Reply(request.request_id, call.answer(), media_types.JSON, timings)

    @staticmethod
    def _between_steps(loop: Any, calls: dict[int, tuple[messages.Request, Call]]) -> None:
        # Only a Cancel or a Stop arrives while a batch runs: the front sends nothing else to a
        # busy worker. A Stop lets the batch finish, as any request in flight, then exits.
        cancelled: set[int] = set()
        front_gone = False
        try:
            while loop.connection.poll():
                message = loop.connection.recv()
                if isinstance(message, messages.Cancel):
                    cancelled.add(message.request_id)
                elif isinstance(message, messages.Stop):
                    loop.stopping = True
        except (EOFError, OSError):
            loop.stopping = front_gone = True
        for request, call in calls.values():
            if (request.request_id in cancelled or front_gone) and not call.job.done:
                call.job.finish_reason = "cancelled"
                logger.info(
                    "stream %d cancelled after %d token(s)", request.request_id, len(call.job.token_ids)
                )

    def _embed(self, requests: tuple[messages.Request, ...], loop: Any) -> None:
        assert self.embedder is not None
        started = time.perf_counter()
        bodies: list[Any] = []
        for request in requests:
            try:
                bodies.append(_json(request.body))
            except BadInputError as error:
                bodies.append(error)
        try:
            answers: list[Any] = [None] * len(requests)
            good = [index for index, body in enumerate(bodies) if not isinstance(body, BadInputError)]
            for index, answer in zip(
                good, tei.answer_all(self.embedder, [bodies[i] for i in good]), strict=True
            ):
                answers[index] = answer
            for index, body in enumerate(bodies):
                if isinstance(body, BadInputError):
                    answers[index] = body
        except Exception as error:
            loop.send_all([_failure(request, error) for request in requests])
            return
        timings = {"predict": time.perf_counter() - started}
        loop.send_all(
            [
                _failure(request, answer)
                if isinstance(answer, ToolkitError)
                else messages.Reply(request.request_id, answer, media_types.JSON, timings)
                for request, answer in zip(requests, answers, strict=True)
            ]
        )


# Head classes that generate text left to right (GPT2LMHeadModel, LlamaForCausalLM, ...).
CAUSAL_HEADS = ("ForCausalLM", "LMHeadModel")


def _require_causal_lm(model_dir: Path) -> None:
    # transformers would load an encoder's checkpoint into its causal-LM class (BERT has one),
    # with random weights for the head: refuse a checkpoint that names no causal head.
    try:
        architectures = json.loads((model_dir / "config.json").read_text(encoding="utf-8")).get(
            "architectures"
        )
    except (OSError, ValueError):
        return
    if architectures and not any(name.endswith(CAUSAL_HEADS) for name in architectures):
        raise ValueError(f"config.json names the architectures {architectures}, none of them a causal LM")


def load_service(settings: Settings, model_dir: Path, device: str) -> ApiService:
    service = ApiService(settings, model_dir, device)
    service.setup()
    return service
