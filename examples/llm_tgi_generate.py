"""TGI's text generation: ``{"inputs", "parameters"}`` in, ``[{"generated_text", "details"}]`` out.

The request TGI's ``/generate`` takes (SageMaker sends it to ``/invocations``), with
``details`` asked for: the finish reason and the number of tokens come back with the text.
Locally the toolkit serves TGI's API because the image is TGI's (see ``llm_endpoint.py``).

Run it::

    .venv/bin/python examples/llm_tgi_generate.py
    SAGEMAKER_ROLE=arn:aws:iam::111122223333:role/SageMakerRole \\
        .venv/bin/python examples/llm_tgi_generate.py --instance-type ml.g5.2xlarge
"""

from __future__ import annotations

from llm_endpoint import arguments, delete, deploy

REQUEST = {
    "inputs": "The three primary colours are",
    "parameters": {"max_new_tokens": 12, "do_sample": False, "details": True, "return_full_text": False},
}


def main() -> None:
    args = arguments(__doc__.splitlines()[0], hub_model="HuggingFaceTB/SmolLM2-135M-Instruct")
    predictor = deploy(args, "huggingface", "conversational")
    try:
        (answer,) = predictor.predict(REQUEST)
        details = answer["details"]
        print(f"generated_text: {answer['generated_text']!r}")
        print(f"finish_reason: {details['finish_reason']}, generated_tokens: {details['generated_tokens']}")
    finally:
        delete(predictor)


if __name__ == "__main__":
    main()
