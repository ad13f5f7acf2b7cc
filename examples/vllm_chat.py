"""vLLM's image: OpenAI chat completions at ``/invocations``, whole and streamed.

The Hugging Face vLLM image takes ``{"messages", "max_tokens", "temperature", ...}`` and
answers a ``chat.completion``; streamed, ``chat.completion.chunk`` events (a role-only first
delta, text deltas, an empty delta with the finish reason) ending with ``data: [DONE]``,
which ``predict_stream`` turns into the text pieces. On SageMaker the container reads its
options from ``SM_VLLM_*`` variables (here ``SM_VLLM_MAX_MODEL_LEN``); locally the toolkit
serves vLLM's API because the image is vLLM's.

Run it::

    .venv/bin/python examples/vllm_chat.py
    SAGEMAKER_ROLE=arn:aws:iam::111122223333:role/SageMakerRole \\
        .venv/bin/python examples/vllm_chat.py --instance-type ml.g5.2xlarge
"""

from __future__ import annotations

from llm_endpoint import arguments, delete, deploy

QUESTION = [{"role": "user", "content": "What is the capital of France?"}]


def main() -> None:
    args = arguments(__doc__.splitlines()[0], hub_model="Qwen/Qwen2.5-0.5B-Instruct")
    predictor = deploy(args, "huggingface-vllm", "conversational", env={"SM_VLLM_MAX_MODEL_LEN": "4096"})
    try:
        request = {"messages": QUESTION, "max_tokens": 12, "temperature": 0, "seed": 0}
        completion = predictor.predict(request)
        print(f"answer: {completion['choices'][0]['message']['content']!r}")
        print(f"model: {completion['model']}, usage: {completion['usage']}")
        streamed = "".join(predictor.predict_stream(request))
        print(f"streamed: {streamed!r}")
        print("streamed text == answer" if streamed == completion["choices"][0]["message"]["content"] else "")
    finally:
        delete(predictor)


if __name__ == "__main__":
    main()
