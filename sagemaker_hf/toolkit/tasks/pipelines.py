"""Tasks served by the installed ``transformers.pipeline`` (the ones both 4.x and 5.x have).

A ``NativeSpec`` per task says how to check a request's inputs, which parameters it needs,
and whether several requests may share one call. The pipeline itself is loaded from the
model directory only and called as ``pipeline(inputs, **parameters)``, so responses keep the
transformers 4.x shapes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sagemaker_hf.toolkit.errors import BadInputError, ModelLoadError
from sagemaker_hf.toolkit.tasks import inputs as text_inputs
from sagemaker_hf.toolkit.tasks import media_inputs, names, text_stream, token_states
from sagemaker_hf.toolkit.tasks.base import (
    MAX_MODEL_BATCH,
    length_chunks,
    plain_output,
    predict_each,
    preview,
    rejected_request_errors,
    require_parameters_dict,
)
from sagemaker_hf.toolkit.tasks.inputs import Prepared
from sagemaker_hf.toolkit.tasks.parameters import check_parameter_names, pipeline_parameters

Prepare = Callable[[Any, dict[str, Any], Any], Prepared]  # (inputs, parameters, pipeline) -> items


def _texts(inputs: Any, parameters: dict[str, Any], pipe: Any) -> Prepared:
    return text_inputs.texts(inputs, pipe.task)


def _classification_texts(inputs: Any, parameters: dict[str, Any], pipe: Any) -> Prepared:
    return text_inputs.classification_texts(inputs)


def _masked_texts(inputs: Any, parameters: dict[str, Any], pipe: Any) -> Prepared:
    return text_inputs.masked_texts(inputs, pipe.tokenizer.mask_token)


def _prompts(inputs: Any, parameters: dict[str, Any], pipe: Any) -> Prepared:
    return text_inputs.prompts(inputs)


def _labelled_texts(inputs: Any, parameters: dict[str, Any], pipe: Any) -> Prepared:
    text_inputs.candidate_labels(parameters, pipe.task)
    return text_inputs.texts(inputs, pipe.task, example='"inputs": "I want my money back"')


def _images(inputs: Any, parameters: dict[str, Any], pipe: Any) -> Prepared:
    return media_inputs.images(inputs, pipe.task)


def _labelled_images(inputs: Any, parameters: dict[str, Any], pipe: Any) -> Prepared:
    text_inputs.candidate_labels(parameters, pipe.task)
    return media_inputs.images(inputs, pipe.task)


def _audio(inputs: Any, parameters: dict[str, Any], pipe: Any) -> Prepared:
    return media_inputs.audio_clips(inputs, pipe.task, pipe.feature_extractor.sampling_rate)


def _labelled_audio(inputs: Any, parameters: dict[str, Any], pipe: Any) -> Prepared:
    text_inputs.candidate_labels(parameters, pipe.task)
    return _audio(inputs, parameters, pipe)


def _table(inputs: Any, parameters: dict[str, Any], pipe: Any) -> Prepared:
    return Prepared([text_inputs.table_query(inputs)], many=False)


def _image_question(inputs: Any, parameters: dict[str, Any], pipe: Any) -> Prepared:
    if not isinstance(inputs, dict) or "image" not in inputs or "question" not in inputs:
        raise BadInputError(
            f"{pipe.task} expects 'inputs' to be "
            f'{{"image": "<base64>", "question": "..."}}, got {preview(inputs)}.'
        )
    return Prepared([{**inputs, "image": media_inputs.load_image(inputs["image"], pipe.task)}], many=False)


def _token_states_without_padding(pipe: Any, text: str, states: Any, parameters: dict[str, Any]) -> Any:
    """feature-extraction in a batch returns every row padded to the longest one; cut each
    back to its own tokens, as a call on its own returns them."""
    tokenize = {**parameters.get("tokenize_kwargs", {}), "truncation": parameters.get("truncation", False)}
    count = len(pipe.tokenizer(text, **tokenize)["input_ids"])
    rows = states[0]
    return [rows[-count:] if pipe.tokenizer.padding_side == "left" else rows[:count]]


def _one_label_as_list(item: Any, output: Any, parameters: dict[str, Any]) -> Any:
    """text-classification answers a lone string with a one-element list unless top_k is given."""
    return [output] if isinstance(item, str) and "top_k" not in parameters else output


@dataclass(frozen=True)
class NativeSpec:
    prepare: Prepare
    batchable: bool = True
    # Defaults that differ from the pipeline's own: long texts are truncated to the model's
    # length instead of failing inside the model.
    defaults: dict[str, Any] = field(default_factory=dict)
    # (pipeline, item, its output from a batched call, parameters) -> the output of a lone call
    unbatch: Callable[[Any, Any, Any, dict[str, Any]], Any] | None = None
    # (item, its output in a list, parameters) -> the pipeline's answer when the item comes alone
    alone: Callable[[Any, Any, dict[str, Any]], Any] | None = None
    # A batch of texts runs in chunks of similar token lengths (base.length_chunks), not padded
    # to its longest text.
    by_length: bool = False


NATIVE_SPECS: dict[str, NativeSpec] = {
    "text-classification": NativeSpec(
        _classification_texts, defaults={"truncation": True}, alone=_one_label_as_list
    ),
    "token-classification": NativeSpec(_texts),
    "fill-mask": NativeSpec(_masked_texts),
    "feature-extraction": NativeSpec(
        _texts, defaults={"truncation": True}, unbatch=_token_states_without_padding, by_length=True
    ),
    "text-generation": NativeSpec(_prompts),
    "zero-shot-classification": NativeSpec(_labelled_texts),
    "image-classification": NativeSpec(_images),
    "image-segmentation": NativeSpec(_images),
    "object-detection": NativeSpec(_images),
    "zero-shot-image-classification": NativeSpec(_labelled_images),
    "automatic-speech-recognition": NativeSpec(_audio),
    "audio-classification": NativeSpec(_audio),
    "table-question-answering": NativeSpec(_table, batchable=False),
    # Beyond the documented list: served as the installed transformers does, one request at a time.
    "depth-estimation": NativeSpec(_images, batchable=False),
    "image-feature-extraction": NativeSpec(_images, batchable=False),
    "image-to-image": NativeSpec(_images, batchable=False),
    "image-to-text": NativeSpec(_images, batchable=False),
    "mask-generation": NativeSpec(_images, batchable=False),
    "zero-shot-object-detection": NativeSpec(_labelled_images, batchable=False),
    "zero-shot-audio-classification": NativeSpec(_labelled_audio, batchable=False),
    "text-to-audio": NativeSpec(_texts, batchable=False),
    "document-question-answering": NativeSpec(_image_question, batchable=False),
    "visual-question-answering": NativeSpec(_image_question, batchable=False),
}

# Request spellings of parameter names (the Hugging Face Inference API's) → pipeline names.
PARAMETER_ALIASES = {"candidateLabels": "candidate_labels"}


# Tasks that can answer as a stream of tokens (server-sent events).
STREAMING_TASKS = frozenset({"text-generation"})


class NativePipelineTask:
    """A transformers pipeline behind the TaskModel interface."""

    def __init__(self, task: str, pipeline: Any) -> None:
        self.task = task
        self.pipeline = pipeline
        self.spec = NATIVE_SPECS[task]
        self.batchable = self.spec.batchable
        self.streams = task in STREAMING_TASKS
        self.accepts_csv = names.accepts_csv(task)
        self.accepted_parameters = pipeline_parameters(pipeline, task)
        self.packed = token_states.PackedTokenStates(pipeline) if task == "feature-extraction" else None
        # Its own forward calls are marked (lanes.py), packed or one text per row; with other
        # tokenizer options the pipeline runs, inside the gate.
        self.runs_in_lanes = self.packed is not None
        self.lanes_by_default = self.runs_in_lanes
        # Packed token states as float64 arrays (token_states.py): set by the handler when the
        # toolkit's encoders, and no user hook, see the answers.
        self.numpy_answers = False

    def predict(self, inputs: Any, parameters: dict[str, Any]) -> Any:
        call_parameters = self._call_parameters(parameters)
        prepared = self.spec.prepare(inputs, call_parameters, self.pipeline)
        return plain_output(self._run(prepared.as_call_input(), call_parameters))

    def predict_batch(self, inputs: list[Any], parameters: dict[str, Any]) -> list[Any]:
        if not self.batchable or len(inputs) < 2:
            return predict_each(self.predict, inputs, parameters)
        try:
            call_parameters = self._call_parameters(parameters)
        except BadInputError as error:
            return [error] * len(inputs)
        prepared: list[Prepared | BadInputError] = []
        for item in inputs:
            try:
                prepared.append(self.spec.prepare(item, call_parameters, self.pipeline))
            except BadInputError as error:
                prepared.append(error)
        good = [entry for entry in prepared if isinstance(entry, Prepared)]
        flat = [item for entry in good for item in entry.items]
        if not flat:
            return prepared
        try:
            outputs, packed = self._run_batched(flat, call_parameters)
        except BadInputError:
            # One request spoiled the shared call: answer each on its own so only it fails.
            return predict_each(self.predict, inputs, parameters)
        # Packed answers are built plain (or as arrays for the encoders): no walk over them.
        return self._split(prepared, outputs if packed else plain_output(outputs), call_parameters, packed)

    def _run_batched(self, flat: list[Any], parameters: dict[str, Any]) -> tuple[list[Any], bool]:
        """The outputs for ``flat``, in order, and whether they are packed token states (each
        already what the item gets alone); else the pipeline's outputs from one call, or one
        call per chunk of similar lengths when the spec says so."""
        if self.packed is not None:
            try:
                answers = self.packed.answers(flat, parameters, arrays=self.numpy_answers)
            except rejected_request_errors():
                answers = None  # the pipeline's calls below find the input the model refuses
            if answers is not None:
                return answers, True
        tokenizer = getattr(self.pipeline, "tokenizer", None)
        if not self.spec.by_length or tokenizer is None:
            return self._run(flat, {**parameters, "batch_size": min(len(flat), MAX_MODEL_BATCH)}), False
        lengths = [len(ids) for ids in tokenizer(flat, truncation=True)["input_ids"]]
        outputs: list[Any] = [None] * len(flat)
        for chunk in length_chunks(lengths):
            answers = self._run([flat[index] for index in chunk], {**parameters, "batch_size": len(chunk)})
            for index, answer in zip(chunk, answers, strict=True):
                outputs[index] = answer
        return outputs, False

    def predict_stream(self, inputs: Any, parameters: dict[str, Any]) -> text_stream.TextStream:
        """The answer to one prompt as it is generated; raises BadInputError for a bad request."""
        if not self.streams:
            raise BadInputError(f"{self.task} cannot stream its answer; only text-generation can")
        call_parameters = self._call_parameters(parameters)
        prepared = self.spec.prepare(inputs, call_parameters, self.pipeline)
        text_stream.one_prompt(prepared.many)
        return text_stream.stream_pipeline(
            self.pipeline,
            prepared.items[0],
            call_parameters,
            lambda error: self._refused(error, call_parameters),
        )

    def _call_parameters(self, parameters: dict[str, Any]) -> dict[str, Any]:
        parameters = require_parameters_dict(parameters)
        renamed = {PARAMETER_ALIASES.get(name, name): value for name, value in parameters.items()}
        check_parameter_names(renamed, self.accepted_parameters, self.task)
        return {**self.spec.defaults, **renamed}

    def _run(self, call_input: Any, parameters: dict[str, Any]) -> Any:
        # Copies of nested options: feature-extraction writes `truncation` into the caller's
        # tokenize_kwargs, and the next call with that dict fails ("defined twice").
        own = {name: dict(value) if isinstance(value, dict) else value for name, value in parameters.items()}
        try:
            return self.pipeline(call_input, **own)
        except rejected_request_errors() as error:
            raise self._refused(error, parameters) from error

    def _refused(self, error: BaseException, parameters: dict[str, Any] | None = None) -> BaseException:
        """A pipeline's refusal of a request as a BadInputError; other errors as they are."""
        if not isinstance(error, rejected_request_errors()):
            return error
        hint = ""
        if isinstance(error, IndexError):
            limit = getattr(getattr(self.pipeline, "tokenizer", None), "model_max_length", None)
            hint = (
                f" An input is probably longer than the model reads"
                f"{f' ({limit} tokens)' if isinstance(limit, int) and limit < 10**9 else ''}: send shorter "
                "inputs (and fewer max_new_tokens)."
            )
        return BadInputError(
            f"{self.task}: the request could not be used: {type(error).__name__}: {error}.{hint} "
            f"Check 'inputs' and the parameter values {preview(parameters or {}, 200)}."
        )

    def _split(
        self, prepared: list[Prepared | BadInputError], outputs: list[Any], parameters: dict, packed: bool
    ) -> list[Any]:
        results: list[Any] = []
        offset = 0
        for entry in prepared:
            if isinstance(entry, BadInputError):
                results.append(entry)
                continue
            mine = outputs[offset : offset + len(entry.items)]
            offset += len(entry.items)
            if self.spec.unbatch is not None and not packed:
                mine = [
                    self.spec.unbatch(self.pipeline, item, output, parameters)
                    for item, output in zip(entry.items, mine, strict=True)
                ]
            if entry.many:
                results.append(mine)
            elif self.spec.alone is not None:
                results.append(self.spec.alone(entry.items[0], mine[0], parameters))
            else:
                results.append(mine[0])
        return results


def load(task: str, model_dir: Path, *, device: str, trust_remote_code: bool) -> NativePipelineTask:
    import transformers
    from transformers.pipelines import SUPPORTED_TASKS

    if task not in SUPPORTED_TASKS:
        raise ModelLoadError(
            f"transformers {transformers.__version__} has no {task!r} pipeline. "
            f"Set HF_TASK to one of: {', '.join(names.DOCUMENTED_TASKS)}."
        )
    pipe = transformers.pipeline(
        task, model=str(model_dir), device=device, trust_remote_code=trust_remote_code
    )
    if task == "text-generation":
        prepare_for_batched_generation(pipe.tokenizer)
    return NativePipelineTask(task, pipe)


def prepare_for_batched_generation(tokenizer: Any) -> None:
    """Decoder-only models generate after the prompt, so batches pad on the left; GPT-2-style
    tokenizers have no pad token, and the end-of-text token serves."""
    if tokenizer is None:
        return
    if tokenizer.pad_token is None and tokenizer.eos_token is not None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"
