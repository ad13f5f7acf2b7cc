"""``conversational``: chat through the text-generation pipeline (no transformers version
since 4.42 has a conversational pipeline).

Accepted inputs:
- a list of ``{"role", "content"}`` messages → the text-generation chat shape,
  ``[{"generated_text": [...messages, {"role": "assistant", "content": reply}]}]``;
- the 4.x Conversation object ``{"text", "past_user_inputs", "generated_responses"}`` (or a
  plain string, as ``{"text": ...}``) → the 4.x shape the AWS toolkit returned,
  ``{"generated_text": reply, "conversation": {"past_user_inputs": [...], "generated_responses": [...]}}``.

The prompt comes from the tokenizer's chat template; a tokenizer without one gets
``FALLBACK_CHAT_TEMPLATE`` ("role: content" lines, then "assistant:").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sagemaker_hf.toolkit.errors import BadInputError
from sagemaker_hf.toolkit.tasks import inputs as task_inputs
from sagemaker_hf.toolkit.tasks.base import (
    plain_output,
    predict_each,
    preview,
    rejected_request_errors,
    require_parameters_dict,
)
from sagemaker_hf.toolkit.tasks.parameters import check_parameter_names, pipeline_parameters
from sagemaker_hf.toolkit.tasks.pipelines import prepare_for_batched_generation

FALLBACK_CHAT_TEMPLATE = (
    "{% for message in messages %}{{ message['role'] }}: {{ message['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}assistant:{% endif %}"
)

_HELP = (
    'Send a list of messages, {"inputs": [{"role": "user", "content": "Hello!"}]}, or a conversation, '
    '{"inputs": {"text": "Hello!", "past_user_inputs": [], "generated_responses": []}}.'
)


class ConversationalTask:
    task = "conversational"
    batchable = False
    accepts_csv = False

    def __init__(self, pipeline: Any) -> None:
        self.pipeline = pipeline
        # return_full_text=False would drop the conversation from the reply: the shapes below need it.
        self.accepted = pipeline_parameters(pipeline, "text-generation") - {
            "return_full_text",
            "return_tensors",
        }

    def predict(self, inputs: Any, parameters: dict[str, Any]) -> Any:
        parameters = require_parameters_dict(parameters)
        check_parameter_names(parameters, self.accepted, self.task)
        if isinstance(inputs, str):
            inputs = {"text": inputs}
        if task_inputs.is_chat(inputs):
            return plain_output(self._chat(task_inputs.chat_messages(inputs, self.task), parameters))
        if isinstance(inputs, dict) and "text" in inputs:
            return self._conversation(inputs, parameters)
        raise BadInputError(f"conversational cannot use 'inputs' {preview(inputs)}. {_HELP}")

    def predict_batch(self, inputs: list[Any], parameters: dict[str, Any]) -> list[Any]:
        return predict_each(self.predict, inputs, parameters)

    def _chat(self, messages: list[dict[str, Any]], parameters: dict[str, Any]) -> list[dict[str, Any]]:
        try:
            return self.pipeline(messages, **parameters)
        except rejected_request_errors() as error:
            raise BadInputError(f"conversational: the request could not be used: {error}") from error

    def _conversation(self, conversation: dict[str, Any], parameters: dict[str, Any]) -> dict[str, Any]:
        text = conversation["text"]
        past_inputs = conversation.get("past_user_inputs") or []
        past_responses = conversation.get("generated_responses") or []
        if not isinstance(text, str) or not _strings(past_inputs) or not _strings(past_responses):
            raise BadInputError(
                "conversational: 'text' must be a string and 'past_user_inputs' / 'generated_responses' "
                f"lists of strings, got {preview(conversation)}. {_HELP}"
            )
        messages: list[dict[str, str]] = []
        for index, user_input in enumerate(past_inputs):
            messages.append({"role": "user", "content": user_input})
            if index < len(past_responses):
                messages.append({"role": "assistant", "content": past_responses[index]})
        messages.append({"role": "user", "content": text})
        reply = self._chat(messages, parameters)[0]["generated_text"][-1]["content"]
        return {
            "generated_text": reply,
            "conversation": {
                "past_user_inputs": [*past_inputs, text],
                "generated_responses": [*past_responses, reply],
            },
        }


def _strings(values: Any) -> bool:
    return isinstance(values, list) and all(isinstance(value, str) for value in values)


def load(task: str, model_dir: Path, *, device: str, trust_remote_code: bool) -> ConversationalTask:
    import transformers

    pipe = transformers.pipeline(
        "text-generation", model=str(model_dir), device=device, trust_remote_code=trust_remote_code
    )
    if pipe.tokenizer.chat_template is None:
        pipe.tokenizer.chat_template = FALLBACK_CHAT_TEMPLATE
    prepare_for_batched_generation(pipe.tokenizer)
    return ConversationalTask(pipe)
