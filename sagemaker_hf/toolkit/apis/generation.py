"""Generation jobs run together: one left-padded ``generate`` call for jobs whose sampling agrees.

Each job keeps its own limits: ``max_new_tokens``, stop sequences and end-of-sequence end
its row (the call runs until every row is done), and the row's text is cut there. A
streamer attached to ``generate`` receives every step's tokens for the whole batch and
routes each row's new text to its job as it is produced.

Seeded sampling is not shared: a request with a ``seed`` runs alone, after
``torch.manual_seed(seed)``, so the same request always gives the same answer whatever
else the server is doing. Unseeded sampling and greedy requests batch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sampling:
    """The settings a whole ``generate`` call shares."""

    do_sample: bool = False
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    typical_p: float | None = None
    repetition_penalty: float | None = None
    seed: int | None = None

    def group_key(self) -> tuple | None:
        """Jobs with equal keys share a call; None runs alone (seeded sampling)."""
        if self.seed is not None and self.do_sample:
            return None
        if not self.do_sample:  # greedy: the warpers have no effect
            return (False, self.repetition_penalty)
        return (True, self.temperature, self.top_p, self.top_k, self.typical_p, self.repetition_penalty)

    def generate_arguments(self) -> dict[str, Any]:
        arguments: dict[str, Any] = {"do_sample": self.do_sample}
        if self.repetition_penalty is not None:
            arguments["repetition_penalty"] = self.repetition_penalty
        if self.do_sample:
            # transformers' defaults (top_k=50) differ from the containers' (no top-k): set them all.
            arguments["temperature"] = self.temperature if self.temperature is not None else 1.0
            arguments["top_k"] = self.top_k if self.top_k is not None else 0
            arguments["top_p"] = self.top_p if self.top_p is not None else 1.0
            if self.typical_p is not None:
                arguments["typical_p"] = self.typical_p
        return arguments


@dataclass
class Job:
    """One request's generation: its prompt and limits in, its tokens and text out."""

    prompt_ids: list[int]
    max_new_tokens: int
    sampling: Sampling
    stop: tuple[str, ...] = ()
    keep_stop: bool = True  # TGI keeps the stop sequence in the text; OpenAI servers drop it
    on_text: Callable[[str, int], None] | None = None  # streamed pieces (text, last token id)
    token_ids: list[int] = field(default_factory=list)
    text: str = ""
    finish_reason: str | None = None  # "length", "eos_token", "stop_sequence" or "cancelled"
    sent: int = 0  # characters of text already streamed

    @property
    def done(self) -> bool:
        return self.finish_reason is not None


def _held_back(text: str, stops: tuple[str, ...]) -> int:
    """Characters at the end of ``text`` not streamed yet: the start of a stop sequence (it may
    still be cut) or an incomplete UTF-8 character."""
    held = 0
    for stop in stops:
        for length in range(min(len(stop) - 1, len(text)), 0, -1):
            if text.endswith(stop[:length]):
                held = max(held, length)
                break
    if text.endswith("\ufffd"):
        held = max(held, len(text) - len(text.rstrip("\ufffd")))
    return held


class RowRouter:
    """A ``generate`` streamer (``put``/``end``) for a batch: each step's tokens go to their
    rows; a row ends at its limit, its end-of-sequence token or a stop sequence.
    ``between_steps`` runs after each step (the worker reads cancellations there)."""

    def __init__(
        self, jobs: list[Job], tokenizer: Any, eos_ids: set[int], between_steps: Callable[[], None]
    ) -> None:
        self.jobs = jobs
        self.tokenizer = tokenizer
        self.eos_ids = eos_ids
        self.between_steps = between_steps
        self._prompt_seen = False

    def put(self, value: Any) -> None:
        if not self._prompt_seen:  # generate() first passes the prompts
            self._prompt_seen = True
            return
        for job, token in zip(self.jobs, value.reshape(-1).tolist(), strict=True):
            if not job.done:
                self._advance(job, token)
        self.between_steps()

    def _advance(self, job: Job, token: int) -> None:
        if token in self.eos_ids:
            self.finish(job, "eos_token")
            return
        job.token_ids.append(token)
        job.text = self.tokenizer.decode(job.token_ids, skip_special_tokens=True)
        cut = _first_stop(job.text, job.stop, job.keep_stop)
        if cut is not None:
            job.text = job.text[:cut]
            self.finish(job, "stop_sequence")
        elif len(job.token_ids) >= job.max_new_tokens:
            self.finish(job, "length")
        else:
            self._send(job, len(job.text) - _held_back(job.text, job.stop))

    def finish(self, job: Job, reason: str) -> None:
        job.finish_reason = reason
        self._send(job, len(job.text))

    def _send(self, job: Job, upto: int) -> None:
        if job.on_text is not None and upto > job.sent and job.finish_reason != "cancelled":
            job.on_text(job.text[job.sent : upto], job.token_ids[-1] if job.token_ids else 0)
        job.sent = max(job.sent, upto)

    def end(self) -> None:
        for job in self.jobs:
            if not job.done:  # generate() stopped first (its own length limit)
                self.finish(job, "length")


def _first_stop(text: str, stops: tuple[str, ...], keep: bool) -> int | None:
    found = [(text.find(stop), stop) for stop in stops if stop and stop in text]
    if not found:
        return None
    start, stop = min(found)
    return start + len(stop) if keep else start


def stopping_on_rows(jobs: list[Job]) -> Any:
    """A ``StoppingCriteriaList`` that ends each row once its job is done."""
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList

    class RowsDone(StoppingCriteria):
        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            return torch.tensor([job.done for job in jobs], dtype=torch.bool, device=input_ids.device)

    return StoppingCriteriaList([RowsDone()])


def run_together(
    model: Any, tokenizer: Any, jobs: list[Job], between_steps: Callable[[], None] = lambda: None
) -> None:
    """Generate for ``jobs`` (equal ``Sampling.group_key``) in one call; fills each job's output."""
    import torch

    pad_id = tokenizer.pad_token_id
    longest = max(len(job.prompt_ids) for job in jobs)
    input_ids = torch.full((len(jobs), longest), pad_id, dtype=torch.long)
    attention_mask = torch.zeros((len(jobs), longest), dtype=torch.long)
    for row, job in enumerate(jobs):  # left padding: every row's next token is at the end
        input_ids[row, longest - len(job.prompt_ids) :] = torch.tensor(job.prompt_ids, dtype=torch.long)
        attention_mask[row, longest - len(job.prompt_ids) :] = 1
    eos = model.generation_config.eos_token_id
    eos_ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
    router = RowRouter(jobs, tokenizer, eos_ids, between_steps)
    sampling = jobs[0].sampling
    if sampling.seed is not None and sampling.do_sample:
        torch.manual_seed(sampling.seed)
    logger.info(
        "generate: %d request(s) in one call (up to %d new tokens, %s)",
        len(jobs),
        max(job.max_new_tokens for job in jobs),
        "sampling" if sampling.do_sample else "greedy",
    )
    with torch.inference_mode():
        model.generate(
            input_ids=input_ids.to(model.device),
            attention_mask=attention_mask.to(model.device),
            max_new_tokens=max(job.max_new_tokens for job in jobs),
            pad_token_id=pad_id,
            streamer=router,
            stopping_criteria=stopping_on_rows(jobs),
            **sampling.generate_arguments(),
        )
    router.end()


def groups(jobs: list[Job], max_size: int) -> list[list[Job]]:
    """Jobs that may share a call, in arrival order, at most ``max_size`` each."""
    shared: dict[tuple, list[Job]] = {}
    alone: list[list[Job]] = []
    for job in jobs:
        key = job.sampling.group_key()
        if key is None:
            alone.append([job])
        else:
            shared.setdefault(key, []).append(job)
    chunks = [
        members[start : start + max_size]
        for members in shared.values()
        for start in range(0, len(members), max_size)
    ]
    return chunks + alone
