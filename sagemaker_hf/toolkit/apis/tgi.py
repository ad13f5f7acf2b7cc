"""TGI's text generation: ``{"inputs", "parameters", "stream"}`` in, TGI's answers out.

``/generate`` answers one object, ``/invocations`` (TGI's compatibility route) a list of one;
``/generate_stream`` and ``"stream": true`` answer TGI's token events (:mod:`..sse`), the
last one with ``generated_text`` and, when asked, ``details``. Sampling is on when
``do_sample`` is, or when a sampling setting is given (TGI does the same). The stop sequence
stays at the end of the text, as TGI leaves it.
"""

from __future__ import annotations

from typing import Any

from sagemaker_hf.toolkit import sse
from sagemaker_hf.toolkit.apis import shapes
from sagemaker_hf.toolkit.apis.context import LlmContext, json_body
from sagemaker_hf.toolkit.apis.generation import Job, Sampling
from sagemaker_hf.toolkit.errors import BadInputError

MAX_STOP_SEQUENCES = 4  # TGI's default --max-stop-sequences


def _check_ranges(parameters: shapes.GenerateParameters) -> None:
    # TGI's validation rules and wording (router/src/validation.rs).
    problems = []
    if parameters.temperature is not None and parameters.temperature <= 0:
        problems.append("`temperature` must be strictly positive")
    if parameters.repetition_penalty is not None and parameters.repetition_penalty <= 0:
        problems.append("`repetition_penalty` must be strictly positive")
    if parameters.top_p is not None and not 0 < parameters.top_p < 1:
        problems.append("`top_p` must be > 0.0 and < 1.0")
    if parameters.top_k is not None and parameters.top_k <= 0:
        problems.append("`top_k` must be strictly positive")
    if parameters.typical_p is not None and not 0 < parameters.typical_p < 1:
        problems.append("`typical_p` must be > 0.0 and < 1.0")
    if parameters.truncate is not None and parameters.truncate <= 0:
        problems.append("`truncate` must be strictly positive")
    if len(parameters.stop) > MAX_STOP_SEQUENCES:
        problems.append(
            f"`stop` supports up to {MAX_STOP_SEQUENCES} stop sequences. Given: {len(parameters.stop)}"
        )
    if problems:
        raise BadInputError("Input validation error: " + "; ".join(problems))
    unsupported = {}
    if parameters.best_of not in (None, 1):
        unsupported["best_of"] = "one sequence is generated per request"
    if parameters.top_n_tokens:
        unsupported["top_n_tokens"] = "no log-probabilities are computed"
    if parameters.grammar is not None:
        unsupported["grammar"] = "no guided generation"
    if parameters.watermark:
        unsupported["watermark"] = "no watermarking"
    if parameters.adapter_id:
        unsupported["adapter_id"] = "no LoRA adapters"
    if parameters.frequency_penalty:
        unsupported["frequency_penalty"] = "use repetition_penalty"
    shapes.refuse_unsupported("TGI generate", unsupported)


def sampling_of(parameters: shapes.GenerateParameters) -> Sampling:
    warped = parameters.temperature not in (None, 1.0) or any(
        value is not None for value in (parameters.top_k, parameters.top_p, parameters.typical_p)
    )
    return Sampling(
        do_sample=parameters.do_sample or warped,
        temperature=parameters.temperature,
        top_p=parameters.top_p,
        top_k=parameters.top_k,
        typical_p=parameters.typical_p,
        repetition_penalty=parameters.repetition_penalty,
        seed=parameters.seed,
    )


class GenerateCall:
    """One TGI generate request: its job, then its answer or its events."""

    def __init__(self, context: LlmContext, data: Any, route: str) -> None:
        request = shapes.parse(shapes.GenerateRequest, data, "TGI generate")
        if route == "generate" and "stream" in data:
            raise BadInputError("TGI generate: unknown field 'stream' on /generate; use /generate_stream")
        parameters = request.parameters
        _check_ranges(parameters)
        self.context = context
        self.route = route
        self.request = request
        self.stream = route == "generate_stream" or request.stream
        prompt_ids = context.encode(request.inputs, special_tokens=True)
        if parameters.truncate is not None:
            prompt_ids = prompt_ids[-parameters.truncate :]
        max_new = context.limits.new_tokens(len(prompt_ids), parameters.max_new_tokens, "max_new_tokens")
        self.job = Job(
            prompt_ids=prompt_ids,
            max_new_tokens=max_new,
            sampling=sampling_of(parameters),
            stop=tuple(parameters.stop),
            keep_stop=True,
        )
        self._events = 0

    def _generated_text(self) -> str:
        if self.request.parameters.return_full_text:
            return self.request.inputs + self.job.text
        return self.job.text

    def _tokens(self) -> list[dict[str, Any]]:
        decode = self.context.tokenizer.decode
        special = set(self.context.tokenizer.all_special_ids)
        return [
            {"id": token, "text": decode([token]), "logprob": None, "special": token in special}
            for token in self.job.token_ids
        ]

    def _details(self) -> dict[str, Any]:
        prefill = []
        if self.request.parameters.decoder_input_details:
            decode = self.context.tokenizer.decode
            prefill = [
                {"id": token, "text": decode([token]), "logprob": None} for token in self.job.prompt_ids
            ]
        return {
            "finish_reason": self.job.finish_reason,
            "generated_tokens": len(self.job.token_ids),
            "seed": self.job.sampling.seed if self.job.sampling.do_sample else None,
            "prefill": prefill,
            "tokens": self._tokens(),
        }

    def answer(self) -> bytes:
        answer: dict[str, Any] = {"generated_text": self._generated_text()}
        if self.request.parameters.details:
            answer["details"] = self._details()
        return json_body(answer if self.route == "generate" else [answer])

    def event(self, piece: str, token_id: int) -> bytes:
        self._events += 1
        return sse.token_event(self._events, piece, token_id)

    def final(self) -> bytes:
        details = None
        if self.request.parameters.details:
            details = {
                "finish_reason": self.job.finish_reason,
                "generated_tokens": len(self.job.token_ids),
                "input_length": len(self.job.prompt_ids),
                "seed": self.job.sampling.seed if self.job.sampling.do_sample else None,
            }
        return sse.final_event(self._events + 1, self._generated_text(), details)
