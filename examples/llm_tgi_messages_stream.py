"""TGI's Messages API: OpenAI chat completions at ``/invocations``, whole and streamed.

``predict({"messages": [...]})`` returns the ``chat.completion`` dict, as TGI answers it;
``predict_stream`` (SageMaker's ``InvokeEndpointWithResponseStream``) yields the text of each
``chat.completion.chunk`` as it arrives, and stops at ``data: [DONE]``. It adds
``"stream": true`` to the body, which is how TGI's Messages API (like vLLM and SGLang) is
asked for a stream. Locally the toolkit serves TGI's API because the image is TGI's.

Run it::

    .venv/bin/python examples/llm_tgi_messages_stream.py
    SAGEMAKER_ROLE=arn:aws:iam::111122223333:role/SageMakerRole \\
        .venv/bin/python examples/llm_tgi_messages_stream.py --instance-type ml.g5.2xlarge
"""

from __future__ import annotations

from llm_endpoint import arguments, delete, deploy

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Name three primary colours."},
]


def main() -> None:
    args = arguments(__doc__.splitlines()[0], hub_model="HuggingFaceTB/SmolLM2-135M-Instruct")
    predictor = deploy(args, "huggingface", "conversational")
    try:
        completion = predictor.predict({"messages": MESSAGES, "max_tokens": 16, "temperature": 0})
        choice = completion["choices"][0]
        print(f"{completion['object']}: {choice['message']['role']} says {choice['message']['content']!r}")
        print(f"finish_reason: {choice['finish_reason']}, usage: {completion['usage']}")
        print("streamed: ", end="", flush=True)
        pieces = 0
        for text in predictor.predict_stream({"messages": MESSAGES, "max_tokens": 16, "temperature": 0}):
            print(text, end="", flush=True)
            pieces += 1
        print(f"\n{pieces} pieces streamed")
    finally:
        delete(predictor)


if __name__ == "__main__":
    main()
