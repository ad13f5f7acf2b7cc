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
from sagemaker_hf.image_uris import _matrix as _image_matrix
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


LLM_PROBE = f"""
import json, sys
from sagemaker_hf import get_huggingface_llm_image_uri
given = get_huggingface_llm_image_uri("huggingface", region="eu-west-1", version="3.3")
light = [m for m in {HEAVY!r} if m in sys.modules]
configured = get_huggingface_llm_image_uri("huggingface", version="3.3")
print(json.dumps({{"given": given, "light": light, "configured": configured}}))
"""


def test_llm_image_without_region_takes_the_configured_region_as_v2(monkeypatch, tmp_path):
    # SDK v2 took the region of a default Session; a call that names its region imports no boto3
    environment = {
        "PATH": "/usr/bin:/bin",
        "AWS_CONFIG_FILE": str(tmp_path / "absent"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "absent"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_DEFAULT_REGION": "ap-southeast-2",
    }
    completed = subprocess.run(
        [sys.executable, "-c", LLM_PROBE], capture_output=True, text=True, timeout=60, env=environment
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["light"] == []
    assert ".dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-tgi-inference:" in report["given"]
    assert ".dkr.ecr.ap-southeast-2.amazonaws.com/huggingface-pytorch-tgi-inference:" in report["configured"]
    assert report["configured"].rsplit(":", 1)[1] == report["given"].rsplit(":", 1)[1]


def test_llm_image_without_any_region_says_how_to_configure_one(monkeypatch):
    from sagemaker_hf import get_huggingface_llm_image_uri
    from sagemaker_hf.errors import ConfigurationError

    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    try:
        get_huggingface_llm_image_uri("huggingface", version="3.3")
    except ConfigurationError as error:  # a ValueError, as v2's "Must setup local AWS configuration"
        assert isinstance(error, ValueError) and "AWS_REGION" in str(error)
    else:
        raise AssertionError("no region configured, yet an image URI came back")
