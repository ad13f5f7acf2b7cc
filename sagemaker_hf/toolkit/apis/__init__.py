"""The APIs of the Hugging Face image families, served in place of the toolkit's own.

``SAGEMAKER_HF_SERVING_API`` (``sagemaker-hf serve --api``) picks one; local mode sets it
from the model's image URI. Each family answers the routes its container answers, in its
shapes (recorded in ``tests/toolkit/shapes/``, from the containers' documentation):

    tgi            /invocations (TGI generate or chat), /generate, /generate_stream, /v1/chat/completions
    vllm, sglang   /invocations and /v1/chat/completions (OpenAI chat completions)
    tei            /invocations and /embed (a bare list of vectors)

The front only routes (:data:`ROUTES`, :func:`streams`); the worker side is
:mod:`.service`: requests decoded by :mod:`.tgi`, :mod:`.openai_chat` and :mod:`.tei` into
generation jobs, which :mod:`.generation` runs in shared, left-padded ``generate`` calls.
"""

from __future__ import annotations

LLM_APIS = ("tgi", "vllm", "sglang")

# api -> {path: route name carried to the worker in messages.Request.route}
ROUTES: dict[str, dict[str, str]] = {
    "tgi": {
        "/invocations": "invocations",
        "/generate": "generate",
        "/generate_stream": "generate_stream",
        "/v1/chat/completions": "chat",
    },
    "vllm": {"/invocations": "invocations", "/v1/chat/completions": "chat"},
    "sglang": {"/invocations": "invocations", "/v1/chat/completions": "chat"},
    "tei": {"/invocations": "invocations", "/embed": "embed"},
}


def streams(route: str | None, asks_stream: bool) -> bool:
    """Whether a request on ``route`` is answered with server-sent events: always on
    /generate_stream, never on /generate or /embed, else (and on the toolkit's own
    /invocations, route None) when the body or Accept asks."""
    if route is None:
        return asks_stream
    if route == "generate_stream":
        return True
    if route in ("generate", "embed"):
        return False
    return asks_stream
