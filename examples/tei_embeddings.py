"""Text Embeddings Inference (TEI): ``{"inputs": [...], "normalize": true}`` in, a bare list of vectors out.

TEI answers one vector per input, unit length when ``normalize`` is true (its default), so
the dot product of two is their cosine similarity. (The base toolkit's sentence-embeddings
task answers ``{"embeddings": ...}`` instead; with TEI's image the local endpoint answers as
TEI does.) Locally the image is TEI's CPU image; on a GPU instance, TEI's GPU image.

Run it::

    .venv/bin/python examples/tei_embeddings.py
    SAGEMAKER_ROLE=arn:aws:iam::111122223333:role/SageMakerRole \\
        .venv/bin/python examples/tei_embeddings.py --instance-type ml.g5.xlarge
"""

from __future__ import annotations

from llm_endpoint import arguments, delete, deploy

SOURCE = "A man is eating food."
SENTENCES = [
    "A man is eating a piece of bread.",
    "A woman is playing the violin.",
    "The stock market fell today.",
]


def main() -> None:
    args = arguments(__doc__.splitlines()[0], hub_model="BAAI/bge-small-en-v1.5")
    gpu = args.instance_type.startswith(("ml.g", "ml.p", "local_gpu"))
    predictor = deploy(args, "huggingface-tei" if gpu else "huggingface-tei-cpu", "sentence-transformers")
    try:
        vectors = predictor.predict({"inputs": [SOURCE, *SENTENCES], "normalize": True, "truncate": True})
        source, *others = vectors
        print(f"{len(vectors)} vectors of {len(source)} numbers; cosine similarity to {SOURCE!r}:")
        for sentence, vector in zip(SENTENCES, others, strict=True):
            print(f"  {sum(a * b for a, b in zip(source, vector, strict=True)):6.3f}  {sentence}")
    finally:
        delete(predictor)


if __name__ == "__main__":
    main()
