"""summarization, translation_xx_to_yy and text2text-generation with ``AutoModelForSeq2SeqLM``
(transformers 5 removed their pipelines; the 4.x response shapes are kept).

Like the 4.x pipelines it applies the model's ``task_specific_params`` for the task (T5's
"summarize: " prefix, BART's beam settings), then the request's generation parameters on top.
Translation uses the prefix of the task's own ``task_specific_params`` entry (none when the
model has no entry for that language pair, as in 4.x), or the tokenizer's language codes
(mBART, M2M100, NLLB take ``src_lang``/``tgt_lang``).

Like 4.x, inputs are not truncated by default (a T5 reads past its tokenizer's
``model_max_length``), except where 4.x crashed: a model whose encoder has a fixed table of
positions (BART, Marian, Pegasus) gets inputs cut to that table, where 4.x raised
``IndexError``. ``"truncation": true`` cuts at the tokenizer's ``model_max_length`` (and the
table); ``"truncation": false`` never cuts, and an input longer than the table is a 400.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sagemaker_hf.toolkit.errors import BadInputError
from sagemaker_hf.toolkit.tasks import inputs as task_inputs
from sagemaker_hf.toolkit.tasks import names
from sagemaker_hf.toolkit.tasks.base import MAX_MODEL_BATCH, predict_each, require_parameters_dict
from sagemaker_hf.toolkit.tasks.inputs import Prepared
from sagemaker_hf.toolkit.tasks.parameters import check_parameter_names, generation_parameters

# task family -> the key of each generated text in the response
OUTPUT_KEYS = {
    "summarization": "summary_text",
    "translation": "translation_text",
    "text2text-generation": "generated_text",
}

# Parameters of the 4.x pipelines besides generation settings.
PIPELINE_PARAMETERS = frozenset(
    {"clean_up_tokenization_spaces", "truncation", "return_text", "return_tensors"}
)
TRANSLATION_PARAMETERS = frozenset({"src_lang", "tgt_lang"})

# The 4.57 pipelines' own defaults, under the model's generation config.
PIPELINE_GENERATION_DEFAULTS = {"max_new_tokens": 256, "num_beams": 4}

_LANGUAGE_CODES = (
    "Multilingual models take their tokenizer's language codes, e.g. "
    '"parameters": {"src_lang": "eng_Latn", "tgt_lang": "fra_Latn"}.'
)


class Seq2SeqTask:
    batchable = True

    def __init__(self, task: str, model: Any, tokenizer: Any, device: str) -> None:
        self.task = task
        self.family = names.task_family(task)
        self.accepts_csv = names.accepts_csv(task)
        self.model = model
        self.tokenizer = tokenizer
        self.device = device
        task_params = (getattr(model.config, "task_specific_params", None) or {}).get(self._params_key(), {})
        # 4.x: the task's own prefix, even an empty one, else the model's.
        prefix = task_params["prefix"] if "prefix" in task_params else getattr(model.config, "prefix", None)
        self.prefix = prefix or ""
        self.generation_defaults = generation_defaults(model.generation_config, task_params)
        self.accepted = generation_parameters() | PIPELINE_PARAMETERS
        if self.family == "translation":
            self.accepted |= TRANSLATION_PARAMETERS
        self.position_limit = encoder_position_limit(model)

    def predict(self, inputs: Any, parameters: dict[str, Any]) -> Any:
        call = self._split_parameters(parameters)
        prepared = task_inputs.texts(
            inputs, self.task, example='"inputs": "Hugging Face is a company in Brooklyn."'
        )
        outputs = self.generate(prepared.items, *call)
        return self._shape(prepared, outputs)

    def predict_batch(self, inputs: list[Any], parameters: dict[str, Any]) -> list[Any]:
        try:
            call = self._split_parameters(parameters)
        except BadInputError as error:
            return [error] * len(inputs)
        prepared: list[Prepared | BadInputError] = []
        for item in inputs:
            try:
                prepared.append(task_inputs.texts(item, self.task))
            except BadInputError as error:
                prepared.append(error)
        texts = [text for entry in prepared if isinstance(entry, Prepared) for text in entry.items]
        if not texts:
            return prepared
        try:
            outputs = self.generate(texts, *call)
        except BadInputError:
            return predict_each(self.predict, inputs, parameters)
        results = []
        for entry in prepared:
            if isinstance(entry, BadInputError):
                results.append(entry)
                continue
            mine, outputs = outputs[: len(entry.items)], outputs[len(entry.items) :]
            results.append(self._shape(entry, mine))
        return results

    def generate(
        self, texts: list[str], generation: dict[str, Any], options: dict[str, Any]
    ) -> list[list[dict[str, Any]]]:
        """For each text, the list of its generated sequences as response dicts."""
        import torch

        results: list[list[dict[str, Any]]] = []
        for first in range(0, len(texts), MAX_MODEL_BATCH):
            batch = texts[first : first + MAX_MODEL_BATCH]
            encoded = self._encode(batch, options)
            try:
                with torch.inference_mode():
                    sequences = self.model.generate(**encoded, **self._generation(generation))
            except (ValueError, TypeError) as error:  # generate() rejects bad settings with these
                raise BadInputError(
                    f"{self.task}: the generation parameters could not be used: {error}"
                ) from error
            per_text = len(sequences) // len(batch)
            for index in range(len(batch)):
                results.append(
                    [
                        self._output(ids, options)
                        for ids in sequences[index * per_text : (index + 1) * per_text]
                    ]
                )
        return results

    def _generation(self, requested: dict[str, Any]) -> dict[str, Any]:
        defaults = dict(self.generation_defaults)
        if "max_length" in requested and "max_new_tokens" not in requested:
            defaults.pop("max_new_tokens", None)  # 4.57 let its default win here; the request should
        return {**defaults, **requested}

    def _truncation(self, options: dict[str, Any]) -> dict[str, Any]:
        """The tokenizer's truncation arguments: none by default (as 4.x), but never past the
        encoder's position table (where 4.x crashed)."""
        requested = options.get("truncation")
        if requested is None:
            if self.position_limit is None:
                return {"truncation": False}
            return {"truncation": True, "max_length": self.position_limit}
        if not requested or self.position_limit is None:
            return {"truncation": requested}
        longest = getattr(self.tokenizer, "model_max_length", None)
        limit = self.position_limit if not isinstance(longest, int) else min(longest, self.position_limit)
        return {"truncation": requested, "max_length": limit}

    def _encode(self, texts: list[str], options: dict[str, Any]) -> dict[str, Any]:
        """Tokenized inputs for generate(): ids and mask on the device, plus the target-language
        token that multilingual tokenizers force as the first generated token."""
        source, target = options.get("src_lang"), options.get("tgt_lang")
        truncation = self._truncation(options)
        try:
            if hasattr(self.tokenizer, "_build_translation_inputs") and source and target:
                encoded = self.tokenizer._build_translation_inputs(
                    texts, return_tensors="pt", src_lang=source, tgt_lang=target, padding=True, **truncation
                )
            else:
                prefixed = [self.prefix + text for text in texts]
                encoded = self.tokenizer(prefixed, return_tensors="pt", padding=True, **truncation)
        except (KeyError, ValueError) as error:
            raise BadInputError(
                f"{self.task}: the inputs could not be encoded ({error}). {_LANGUAGE_CODES}"
            ) from error
        length = encoded["input_ids"].shape[-1]
        if self.position_limit is not None and length > self.position_limit:
            raise BadInputError(
                f"{self.task}: an input has {length} tokens and this model reads at most "
                f'{self.position_limit}; shorten it, or leave out "truncation": false to cut it'
            )
        forced = encoded.get("forced_bos_token_id")
        if forced is not None and forced == self.tokenizer.unk_token_id:
            raise BadInputError(
                f"{self.task}: tgt_lang {target!r} is not a language of this tokenizer. {_LANGUAGE_CODES}"
            )
        model_inputs = {
            key: encoded[key].to(self.device) for key in ("input_ids", "attention_mask") if key in encoded
        }
        if forced is not None:
            model_inputs["forced_bos_token_id"] = forced
        return model_inputs

    def _output(self, ids: Any, options: dict[str, Any]) -> dict[str, Any]:
        key = OUTPUT_KEYS[self.family]
        if options.get("return_tensors"):
            return {key.replace("_text", "_token_ids"): ids.tolist()}
        text = self.tokenizer.decode(
            ids,
            skip_special_tokens=True,
            clean_up_tokenization_spaces=bool(options.get("clean_up_tokenization_spaces", False)),
        )
        return {key: text}

    def _shape(self, prepared: Prepared, outputs: list[list[dict[str, Any]]]) -> Any:
        # 4.x: one string -> a list of its sequences; a list -> one entry per string, unwrapped
        # when each string has one sequence.
        if not prepared.many:
            return outputs[0]
        if all(len(sequences) == 1 for sequences in outputs):
            return [sequences[0] for sequences in outputs]
        return outputs

    def _split_parameters(self, parameters: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        parameters = require_parameters_dict(parameters)
        check_parameter_names(parameters, self.accepted, self.task)
        options = {
            key: value
            for key, value in parameters.items()
            if key in PIPELINE_PARAMETERS | TRANSLATION_PARAMETERS
        }
        if self.family == "translation" and (languages := names.translation_languages(self.task)):
            options.setdefault("src_lang", languages[0])
            options.setdefault("tgt_lang", languages[1])
        generation = {key: value for key, value in parameters.items() if key not in options}
        return generation, options

    def _params_key(self) -> str:
        """The ``task_specific_params`` entry of the task; plain "translation" takes the model's
        first translation entry, as 4.x's pipeline() did."""
        if self.family != "translation" or self.task != "translation":
            return self.task if self.family == "translation" else self.family
        keys = [
            key
            for key in (getattr(self.model.config, "task_specific_params", None) or {})
            if key.startswith("translation")
        ]
        return keys[0] if keys else self.task


def encoder_position_limit(model: Any) -> int | None:
    """How many tokens the encoder reads: the size of its fixed position table (BART, Marian,
    Pegasus, LED), or None when positions are relative or grow on demand (T5, M2M100, NLLB)."""
    import torch

    encoder = model.get_encoder() if hasattr(model, "get_encoder") else None
    table = getattr(encoder, "embed_positions", None)
    if not isinstance(table, torch.nn.Embedding):
        return None
    return table.num_embeddings - int(getattr(table, "offset", 0))


def generation_defaults(model_config: Any, task_params: dict[str, Any]) -> dict[str, Any]:
    """What generate() gets before the request's parameters, as in the 4.57 pipelines: the
    pipeline defaults where the model's generation config keeps the library default, then the
    task's ``task_specific_params``. A model that sets ``max_length`` keeps it instead of the
    default ``max_new_tokens``."""
    from transformers import GenerationConfig

    library = GenerationConfig()
    defaults = {
        name: value
        for name, value in PIPELINE_GENERATION_DEFAULTS.items()
        if getattr(model_config, name, None) == getattr(library, name, None)
    }
    defaults.update({key: value for key, value in task_params.items() if key in generation_parameters()})
    if "max_length" in task_params or getattr(model_config, "max_length", 20) != library.max_length:
        defaults.pop("max_new_tokens", None)
    return defaults


def load(task: str, model_dir: Path, *, device: str, trust_remote_code: bool) -> Seq2SeqTask:
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir, trust_remote_code=trust_remote_code)
    model = AutoModelForSeq2SeqLM.from_pretrained(model_dir, trust_remote_code=trust_remote_code)
    return Seq2SeqTask(task, model.to(device).eval(), tokenizer, device)
