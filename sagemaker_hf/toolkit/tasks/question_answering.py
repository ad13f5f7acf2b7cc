"""Extractive question answering from start/end logits (transformers 5 removed the pipeline).

It follows the 4.x pipeline's rules, so answers match it: question and context are encoded
as a pair (question first unless the tokenizer pads on the left), a context longer than
``max_seq_len`` is cut into overlapping windows (``doc_stride`` tokens of overlap), start
and end logits are soft-maxed per window over the context tokens (and the CLS token), a span
scores start × end probability, spans longer than ``max_answer_len`` tokens are dropped,
equal answer texts from several windows add up, and the answer is widened to whole words
(``align_to_words``). ``handle_impossible_answer`` adds the empty answer, scored by the
lowest CLS score across windows. One question answers with a dict, several with a list.

The only departure: when ``doc_stride`` leaves no room next to a long question, it is
lowered to fit (the 4.x pipeline crashes there).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sagemaker_hf.toolkit.errors import BadInputError, ModelLoadError
from sagemaker_hf.toolkit.tasks import inputs as task_inputs
from sagemaker_hf.toolkit.tasks.base import MAX_MODEL_BATCH, predict_each, require_parameters_dict
from sagemaker_hf.toolkit.tasks.inputs import Prepared
from sagemaker_hf.toolkit.tasks.parameters import check_parameter_names


class AnswerSettings(BaseModel):
    """The request parameters of question-answering (the 4.x pipeline's names and defaults)."""

    model_config = ConfigDict(extra="forbid")

    top_k: int = Field(1, ge=1)
    doc_stride: int | None = Field(None, ge=0)
    max_answer_len: int = Field(15, ge=1)
    max_seq_len: int | None = Field(None, ge=8)
    max_question_len: int = Field(64, ge=1)  # accepted for compatibility; fast tokenizers never used it
    handle_impossible_answer: bool = False
    align_to_words: bool = True
    padding: Any = None  # accepted for compatibility; windows are always padded to the longest


ACCEPTED_PARAMETERS = frozenset({*AnswerSettings.model_fields, "topk"})


class QuestionAnsweringTask:
    task = "question-answering"
    batchable = True
    accepts_csv = True

    def __init__(self, model: Any, tokenizer: Any, device: str) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.device = device
        self.question_first = tokenizer.padding_side == "right"

    def predict(self, inputs: Any, parameters: dict[str, Any]) -> Any:
        settings = self.settings(parameters)
        prepared = task_inputs.question_context_pairs(inputs)
        answers = self.answer(prepared.items, settings)
        return answers if prepared.many else answers[0]

    def predict_batch(self, inputs: list[Any], parameters: dict[str, Any]) -> list[Any]:
        try:
            settings = self.settings(parameters)
        except BadInputError as error:
            return [error] * len(inputs)
        prepared: list[Prepared | BadInputError] = []
        for item in inputs:
            try:
                prepared.append(task_inputs.question_context_pairs(item))
            except BadInputError as error:
                prepared.append(error)
        pairs = [pair for entry in prepared if isinstance(entry, Prepared) for pair in entry.items]
        if not pairs:
            return prepared
        try:
            answers = self.answer(pairs, settings)
        except BadInputError:
            return predict_each(self.predict, inputs, parameters)
        results: list[Any] = []
        for entry in prepared:
            if isinstance(entry, BadInputError):
                results.append(entry)
                continue
            mine, answers = answers[: len(entry.items)], answers[len(entry.items) :]
            results.append(mine if entry.many else mine[0])
        return results

    def settings(self, parameters: dict[str, Any]) -> AnswerSettings:
        parameters = dict(require_parameters_dict(parameters))
        check_parameter_names(parameters, ACCEPTED_PARAMETERS, self.task)
        if "topk" in parameters:  # the 4.x pipeline's deprecated spelling
            parameters.setdefault("top_k", parameters.pop("topk"))
        try:
            return AnswerSettings(**parameters)
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
            raise BadInputError(f"question-answering: invalid parameters: {problems}.") from error

    def answer(self, pairs: list[tuple[str, str]], settings: AnswerSettings) -> list[Any]:
        """One result per (question, context): a dict, or a list when top_k > 1."""
        import numpy as np

        encoded = self._encode(pairs, settings)
        start_logits, end_logits = self._logits(encoded)
        context_index = 1 if self.question_first else 0
        per_pair: list[list[dict[str, Any]]] = [[] for _ in pairs]
        null_scores = [1_000_000.0] * len(pairs)
        attention = np.array(encoded["attention_mask"])
        for window, pair_index in enumerate(encoded["overflow_to_sample_mapping"]):
            allowed = self._allowed_tokens(encoded, window, context_index) & attention[window]
            spans, null_score = _best_spans(
                start_logits[window],
                end_logits[window],
                allowed,
                top_k=settings.top_k * 2 + 10 if settings.align_to_words else settings.top_k,
                max_answer_len=settings.max_answer_len,
            )
            null_scores[pair_index] = min(null_scores[pair_index], null_score)
            context = pairs[pair_index][1]
            for start, end, score in spans:
                first, last = self._characters(
                    encoded[window], start, end, context_index, settings.align_to_words
                )
                _add_answer(per_pair[pair_index], context[first:last], first, last, score)
        results = []
        for answers, null_score in zip(per_pair, null_scores, strict=True):
            if settings.handle_impossible_answer:
                answers.append({"score": null_score, "start": 0, "end": 0, "answer": ""})
            best = sorted(answers, key=lambda answer: answer["score"], reverse=True)[: settings.top_k]
            results.append(best[0] if len(best) == 1 else best)
        return results

    def _encode(self, pairs: list[tuple[str, str]], settings: AnswerSettings) -> Any:
        max_seq_len = settings.max_seq_len or min(self.tokenizer.model_max_length, 384)
        stride = settings.doc_stride if settings.doc_stride is not None else min(max_seq_len // 2, 128)
        if stride > max_seq_len:
            raise BadInputError(
                f"question-answering: doc_stride ({stride}) is larger than max_seq_len ({max_seq_len})."
            )
        questions = [question for question, _ in pairs]
        contexts = [context for _, context in pairs]
        room = max_seq_len - self.tokenizer.num_special_tokens_to_add(pair=True)
        question_lengths = [
            len(ids) for ids in self.tokenizer(questions, add_special_tokens=False)["input_ids"]
        ]
        context_room = room - max(question_lengths)
        if context_room < 2:
            raise BadInputError(
                f"question-answering: a question of {max(question_lengths)} tokens leaves no room for the "
                f"context in max_seq_len={max_seq_len} tokens. Shorten the question or raise max_seq_len."
            )
        try:
            return self.tokenizer(
                questions if self.question_first else contexts,
                contexts if self.question_first else questions,
                padding="longest",
                truncation="only_second" if self.question_first else "only_first",
                max_length=max_seq_len,
                stride=min(stride, context_room - 1),
                return_token_type_ids="token_type_ids" in self.tokenizer.model_input_names,
                return_overflowing_tokens=True,
                return_offsets_mapping=True,
            )
        except Exception as error:  # tokenizers reports truncation problems as plain Exception
            raise BadInputError(
                f"question-answering: the question and context could not be encoded: {error}"
            ) from error

    def _logits(self, encoded: Any) -> tuple[Any, Any]:
        import numpy as np
        import torch

        names = [name for name in self.tokenizer.model_input_names if name in encoded]
        starts, ends = [], []
        total = len(encoded["input_ids"])
        with torch.inference_mode():
            for first in range(0, total, MAX_MODEL_BATCH):
                batch = {
                    name: torch.tensor(encoded[name][first : first + MAX_MODEL_BATCH], device=self.device)
                    for name in names
                }
                output = self.model(**batch)
                starts.append(output.start_logits.float().cpu().numpy())
                ends.append(output.end_logits.float().cpu().numpy())
        return np.concatenate(starts), np.concatenate(ends)

    def _allowed_tokens(self, encoded: Any, window: int, context_index: int) -> Any:
        """1 for tokens that may start or end an answer: the context, and CLS (the 'no answer' slot)."""
        import numpy as np

        allowed = np.array(
            [1 if sequence == context_index else 0 for sequence in encoded.sequence_ids(window)]
        )
        if self.tokenizer.cls_token_id is not None:
            allowed[np.array(encoded["input_ids"][window]) == self.tokenizer.cls_token_id] = 1
        return allowed

    @staticmethod
    def _characters(
        encoding: Any, start: int, end: int, context_index: int, align_to_words: bool
    ) -> tuple[int, int]:
        if align_to_words:
            try:
                first = encoding.word_to_chars(encoding.token_to_word(start), sequence_index=context_index)[0]
                last = encoding.word_to_chars(encoding.token_to_word(end), sequence_index=context_index)[1]
                return first, last
            except Exception:  # tokenizers without word boundaries: keep the token offsets
                pass
        return encoding.offsets[start][0], encoding.offsets[end][1]


def _best_spans(
    start_logits: Any, end_logits: Any, allowed: Any, top_k: int, max_answer_len: int
) -> tuple[list[tuple[int, int, float]], float]:
    """The ``top_k`` best (start, end, probability) spans of one window, and its CLS ('no answer') score."""
    import numpy as np

    blocked = allowed == 0
    start = _softmax(np.where(blocked, -10000.0, start_logits))
    end = _softmax(np.where(blocked, -10000.0, end_logits))
    null_score = float(start[0] * end[0])
    start[0] = end[0] = 0.0
    candidates = np.tril(np.triu(np.outer(start, end)), max_answer_len - 1)
    flat = candidates.flatten()
    if top_k == 1:
        order = np.array([np.argmax(flat)])
    elif len(flat) < top_k:
        order = np.argsort(-flat)
    else:
        order = np.argpartition(-flat, top_k)[:top_k]
        order = order[np.argsort(-flat[order])]
    starts, ends = np.unravel_index(order, candidates.shape)
    keep = (allowed[starts] == 1) & (allowed[ends] == 1)
    return [
        (int(s), int(e), float(candidates[s, e])) for s, e in zip(starts[keep], ends[keep], strict=True)
    ], null_score


def _softmax(logits: Any) -> Any:
    import numpy as np

    exponent = np.exp(logits - logits.max())
    return exponent / exponent.sum()


def _add_answer(answers: list[dict[str, Any]], text: str, first: int, last: int, score: float) -> None:
    for answer in answers:
        if answer["answer"].lower() == text.lower():
            answer["score"] += score
            return
    answers.append({"score": score, "start": first, "end": last, "answer": text})


def load(task: str, model_dir: Path, *, device: str, trust_remote_code: bool) -> QuestionAnsweringTask:
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir, trust_remote_code=trust_remote_code)
    if not tokenizer.is_fast:
        raise ModelLoadError(
            f"question-answering needs a fast tokenizer (tokenizer.json) to map answers back to the context; "
            f"{model_dir} has only a {type(tokenizer).__name__}. Save the model with its fast tokenizer."
        )
    model = AutoModelForQuestionAnswering.from_pretrained(model_dir, trust_remote_code=trust_remote_code)
    return QuestionAnsweringTask(model.to(device).eval(), tokenizer, device)
