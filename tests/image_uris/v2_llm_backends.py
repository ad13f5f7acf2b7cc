"""Run by SDK v2's Python: v2's get_huggingface_llm_image_uri for every case, as JSON.

Argument: a JSON list of ``[backend, region, version or null]``. Prints ``{"answers": [the
URI, or "error: <message>"], "versions": {backend: the versions v2's own data holds}}``.
"""

import json
import sys

from sagemaker.huggingface import get_huggingface_llm_image_uri
from sagemaker.image_uris import config_for_framework

FAMILIES = {
    "huggingface": "huggingface-llm",
    "huggingface-neuronx": "huggingface-llm-neuronx",
    "huggingface-vllm-neuronx": "huggingface-vllm-neuronx",
    "huggingface-tei": "huggingface-tei",
    "huggingface-tei-cpu": "huggingface-tei-cpu",
    "lmi": "djl-deepspeed",
}

answers = []
for backend, region, version in json.loads(sys.argv[1]):
    try:
        answers.append(get_huggingface_llm_image_uri(backend, region=region, version=version))
    except ValueError as error:
        answers.append(f"error: {error}")
versions = {}
for backend, family in FAMILIES.items():
    config = config_for_framework(family)
    versions[backend] = sorted(config.get("inference", config)["versions"])
print(json.dumps({"answers": answers, "versions": versions}))
