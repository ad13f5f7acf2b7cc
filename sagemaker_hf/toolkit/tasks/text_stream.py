"""Text generation as a stream of text pieces, for server-sent events.

``TextStream`` runs the text-generation pipeline in a background thread with a
``TokenStreamer`` attached to ``generate()``, and yields the text of each new token as soon
as it decodes to complete characters (a token that ends inside a UTF-8 character waits for
the next one). Because the pipeline itself runs, ``result()`` is exactly what ``predict``
answers for the same request. ``cancel()`` stops generation at the next token.

transformers is imported only when a stream starts.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sagemaker_hf.toolkit.errors import BadInputError

ONE_SEQUENCE = (
    "a stream carries one sequence: set num_beams=1 and num_return_sequences=1, or leave out stream"
)
# How long the reader waits for the next token before checking that generation is alive.
_POLL_SECONDS = 1.0
_DONE = object()


@dataclass(frozen=True)
class Piece:
    """New text from one or more tokens; ``token_id`` is the last of them."""

    text: str
    token_id: int


class TokenStreamer:
    """A ``generate()`` streamer (the BaseStreamer protocol: ``put`` and ``end``) that decodes
    incrementally: the text between the last emitted offset and the newest token, so that
    tokenizers which merge a leading space or split characters across tokens still give the
    right text."""

    def __init__(self, tokenizer: Any, skip_special_tokens: bool = True) -> None:
        self.tokenizer = tokenizer
        self.skip_special_tokens = skip_special_tokens
        self.pieces: queue.Queue[Piece | object] = queue.Queue()
        self.token_ids: list[int] = []
        self._prefix_offset = 0
        self._read_offset = 0
        self._prompt_seen = False

    def put(self, value: Any) -> None:
        if not self._prompt_seen:  # generate() first passes the prompt
            self._prompt_seen = True
            if value.dim() > 1 and value.shape[0] > 1:
                raise ValueError(ONE_SEQUENCE)
            return
        ids = value.reshape(-1).tolist()
        if len(ids) != 1:
            raise ValueError(ONE_SEQUENCE)
        self.token_ids.append(ids[0])
        self._emit()

    def _decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=self.skip_special_tokens)

    def _emit(self) -> None:
        before = self._decode(self.token_ids[self._prefix_offset : self._read_offset])
        now = self._decode(self.token_ids[self._prefix_offset :])
        # A character split across byte tokens decodes to U+FFFD until its last byte comes;
        # past 4 tokens (the longest UTF-8 character) the bytes are invalid: send them as they are.
        waiting = len(self.token_ids) - self._read_offset
        if len(now) > len(before) and (not now.endswith("\ufffd") or waiting >= 4):
            self.pieces.put(Piece(now[len(before) :], self.token_ids[-1]))
            self._prefix_offset, self._read_offset = self._read_offset, len(self.token_ids)

    def end(self) -> None:
        self.pieces.put(_DONE)


class TextStream:
    """One generation in a background thread: iterate for :class:`Piece` objects, then call
    ``result()`` for the pipeline's answer. Errors in generation are raised by the iteration,
    after ``translate`` (which turns a refused request into a BadInputError)."""

    def __init__(
        self,
        run: Callable[[TokenStreamer, Any], Any],
        tokenizer: Any,
        translate: Callable[[BaseException], BaseException],
    ) -> None:
        self._streamer = TokenStreamer(tokenizer)
        self._translate = translate
        self._cancelled = threading.Event()
        self._result: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(run, stopping_on(self._cancelled)), name="generate-stream", daemon=True
        )
        self._thread.start()

    def _run(self, run: Callable[[TokenStreamer, Any], Any], stopping_criteria: Any) -> None:
        try:
            self._result = run(self._streamer, stopping_criteria)
        except BaseException as error:  # reported to the reading thread, which raises it
            self._error = error
        finally:
            self._streamer.end()

    def __iter__(self) -> Iterator[Piece]:
        while True:
            try:
                item = self._streamer.pieces.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                if self._thread.is_alive():
                    continue
                break
            if item is _DONE:
                break
            assert isinstance(item, Piece)
            yield item
        self._thread.join()
        if self._error is not None:
            raise self._translate(self._error) from self._error

    def result(self) -> Any:
        """The pipeline's answer (call after the iteration ends)."""
        return self._result

    def generated_text(self) -> Any:
        """The answer's ``generated_text`` (for a chat, the reply's content), for the last event."""
        first = self._result[0] if isinstance(self._result, list) and self._result else self._result
        text = first.get("generated_text") if isinstance(first, dict) else None
        if isinstance(text, list) and text and isinstance(text[-1], dict):
            return text[-1].get("content")
        return text

    def cancel(self) -> None:
        self._cancelled.set()


def stopping_on(event: threading.Event) -> Any:
    """A ``StoppingCriteriaList`` that ends generation once ``event`` is set."""
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList

    class Cancelled(StoppingCriteria):
        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            return torch.full(
                (input_ids.shape[0],), event.is_set(), dtype=torch.bool, device=input_ids.device
            )

    return StoppingCriteriaList([Cancelled()])


def stream_pipeline(
    pipeline: Any,
    prompt: Any,
    parameters: dict[str, Any],
    translate: Callable[[BaseException], BaseException],
) -> TextStream:
    """Run ``pipeline(prompt, **parameters)`` with a streamer; ``prompt`` is one string or one chat."""

    def run(streamer: TokenStreamer, stopping_criteria: Any) -> Any:
        return pipeline(prompt, streamer=streamer, stopping_criteria=stopping_criteria, **parameters)

    return TextStream(run, pipeline.tokenizer, translate)


def one_prompt(many: bool) -> None:
    if many:
        raise BadInputError(
            'a stream answers one prompt; send "inputs" as one string (or one list of chat messages), '
            "or leave out stream to generate for several prompts at once"
        )
