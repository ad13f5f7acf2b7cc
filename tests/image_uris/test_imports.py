"""Resolving an image loads no heavy or AWS modules, and reads nothing at import."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("torch", "transformers", "boto3", "botocore")

PROBE = f"""
import json, sys
heavy = {HEAVY!r}
import sagemaker_hf
after_package = [m for m in heavy if m in sys.modules]
import sagemaker_hf.image_uris as u
from sagemaker_hf import _image_matrix
read_at_import = _image_matrix._default_store is not None
uri = u.retrieve("huggingface", region="us-east-1", version="4.26.0", base_framework_version="pytorch1.13.1",
                 image_scope="inference", instance_type="ml.m5.xlarge", py_version="py39")
print(json.dumps({{
    "after_package": after_package,
    "after_retrieve": [m for m in heavy if m in sys.modules],
    "read_at_import": read_at_import,
    "loaded": list(_image_matrix.default_store().loaded_families()),
    "uri": uri,
}}))
"""


def test_import_and_retrieve_stay_light():
    completed = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["after_package"] == []
    assert report["after_retrieve"] == []
    assert report["read_at_import"] is False
    assert report["loaded"] == ["huggingface"]
    assert report["uri"].endswith(
        "/huggingface-pytorch-inference:1.13.1-transformers4.26.0-cpu-py39-ubuntu20.04"
    )
