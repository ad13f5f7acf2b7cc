"""Tokens and AWS credentials never show: a run with ``HF_TOKEN``, ``HF_API_TOKEN`` and fake AWS
keys hits errors on purpose, then everything it produced is searched for them.

Searched: every answer body of two toolkit servers (one whose Hub download fails, one
refusing bad requests), their ``/ping``, ``/info``, ``/metrics`` and logs; then a local
endpoint, a local batch transform job and a local training job given the tokens in their
``Environment``, each made to fail; every error message and description they return; and
every file under the local home (registry records, server logs, training logs, outputs).
The endpoint and the training job report a hash of the token they received, so the test
also shows the secrets *did* reach them.
"""

from __future__ import annotations

import hashlib
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sagemaker_hf import HuggingFace, HuggingFaceModel
from sagemaker_hf.errors import ResourceFailedError
from sagemaker_hf.session import LocalSession
from tests.fixtures.local_mode import LOCAL_VERSIONS
from tests.fixtures.toolkit_server import running_server

pytestmark = pytest.mark.slow

# Every secret holds "DoNotLeak" (any case), so a fragment of one is found too.
HF_TOKEN = "hf_SECRETtokenDoNotLeak0123456789abcd"
HF_API_TOKEN = "hf_APISECRETtokenDoNotLeak98765432"
AWS_ACCESS_KEY_ID = "AKIADONOTLEAK0000001"
AWS_SECRET_ACCESS_KEY = "wJalrSECRETaccessKeyDoNotLeak/K7MDENGbPxRfiCY"
AWS_SESSION_TOKEN = "FwoGZXIvYXdzSECRETsessionTokenDoNotLeak"
NEEDLE = b"donotleak"
SECRET_ENV = {
    "HF_TOKEN": HF_TOKEN,
    "HF_API_TOKEN": HF_API_TOKEN,
    "AWS_ACCESS_KEY_ID": AWS_ACCESS_KEY_ID,
    "AWS_SECRET_ACCESS_KEY": AWS_SECRET_ACCESS_KEY,
    "AWS_SESSION_TOKEN": AWS_SESSION_TOKEN,
}
TOKEN_ENV = {"HF_TOKEN": HF_TOKEN, "HF_API_TOKEN": HF_API_TOKEN}


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Produced:
    """Everything a run showed: texts by label, and the files to search."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, bytes]] = []

    def add(self, label: str, value: Any) -> None:
        if isinstance(value, bytes):
            data = value
        elif isinstance(value, str):
            data = value.encode("utf-8", "replace")
        else:
            data = json.dumps(value, default=str).encode()
        self.texts.append((label, data))

    def add_files(self, root: Path) -> int:
        files = [path for path in Path(root).rglob("*") if path.is_file() and not path.is_symlink()]
        for path in files:
            self.texts.append((str(path), path.read_bytes()))
        return len(files)

    def leaks(self) -> list[str]:
        return [label for label, data in self.texts if NEEDLE in data.lower()]


def test_a_toolkit_server_shows_no_secret(tiny_models, tmp_path):
    produced = Produced()
    bad_requests = [
        (b'{"inputs": ', "application/json", None),
        (b'{"inputs": "x"}', "text/plain", None),
        (b'{"inputs": "x"}', "application/json", "image/png"),
        (b'{"inputs": "x", "parameters": {"no_such": 1}}', "application/json", None),
        (b'{"inputs": 42}', "application/json", None),
        (b"x" * (2 * 1024 * 1024), "application/json", None),
        (b'{"inputs": "fine"}', "application/json", None),
    ]
    hub_env = {**SECRET_ENV, "HF_MODEL_ID": "private-org/private-model", "HF_TASK": "text-classification"}
    with running_server(None, env=hub_env, wait_ready=False) as server:
        ping = server.wait_for_ping(lambda r: r.json().get("type") == "ModelLoadError")
        produced.add("hub /ping", ping.content)
        for path in ("/info", "/metrics", "/execution-parameters"):
            produced.add(f"hub {path}", server.client.get(path).content)
        produced.add("hub /invocations", server.client.post("/invocations", json={"inputs": "x"}).content)
        produced.add("hub log", server.log_text())
    assert "HF_MODEL_ID=private-org/private-model" in ping.json()["message"]  # the failure is explained
    env = {**SECRET_ENV, "HF_TASK": "text-classification", "SAGEMAKER_MAX_PAYLOAD_IN_MB": "1"}
    statuses = []
    with running_server(tiny_models["text-classification"], env=env) as server:
        for body, content_type, accept in bad_requests:
            headers = {"content-type": content_type, **({"accept": accept} if accept else {})}
            response = server.client.post("/invocations", content=body, headers=headers)
            statuses.append(response.status_code)
            produced.add(f"answer {response.status_code}", response.content)
        for path in ("/ping", "/info", "/metrics"):
            produced.add(path, server.client.get(path).content)
        produced.add("log", server.log_text())
    assert statuses == [400, 415, 406, 400, 400, 413, 200]
    assert not produced.leaks(), "\n".join(produced.leaks())


ENDPOINT_CODE = """
    import hashlib
    import os

    def model_fn(model_dir):
        return "token reporter"

    def predict_fn(data, model):
        if data.get("fail"):
            raise RuntimeError("failing on purpose")
        return {name: hashlib.sha256(os.environ.get(name, "").encode()).hexdigest()
                for name in ("HF_TOKEN", "HF_API_TOKEN")}
"""

TRAINING_SCRIPT = """
    import hashlib
    import os

    print("token hash", hashlib.sha256(os.environ["HF_TOKEN"].encode()).hexdigest(), flush=True)
    raise RuntimeError("failing on purpose")
"""


def test_local_endpoints_jobs_and_their_files_show_no_secret(tmp_path, monkeypatch, tiny_models):
    for name, value in SECRET_ENV.items():
        monkeypatch.setenv(name, value)  # the host's own credentials and token
    home = tmp_path / "home"
    session = LocalSession(local_home=home)
    produced = Produced()
    code = tmp_path / "code"
    code.mkdir()
    (code / "inference.py").write_text(textwrap.dedent(ENDPOINT_CODE))
    model = HuggingFaceModel(
        model_data=str(tiny_models["text-classification"]),
        entry_point="inference.py",
        source_dir=str(code),
        env=dict(TOKEN_ENV),
        sagemaker_session=session,
        **LOCAL_VERSIONS,
    )
    predictor = model.deploy(1, "local", endpoint_name="secrets")
    try:
        hashes = predictor.predict({"inputs": "x"})
        assert hashes == {"HF_TOKEN": sha256(HF_TOKEN), "HF_API_TOKEN": sha256(HF_API_TOKEN)}
        with pytest.raises(ClientError) as failed:
            predictor.predict({"fail": True})
        produced.add("predict error", str(failed.value))
        produced.add("predict error response", failed.value.response)
        client = session.sagemaker_client
        produced.add("describe_endpoint", client.describe_endpoint(EndpointName="secrets"))
        produced.add("describe_model", client.describe_model(ModelName=model.name))
        produced.add("list_endpoints", client.list_endpoints())

        data = tmp_path / "records.jsonl"
        data.write_text('{"inputs": "fine"}\nnot json\n')
        transformer = model.transformer(1, "local", output_path=str(tmp_path / "out"), env=dict(TOKEN_ENV))
        with pytest.raises(ResourceFailedError) as job_failed:
            transformer.transform(str(data), content_type="application/jsonlines", split_type="Line")
        produced.add("transform failure", str(job_failed.value))
        produced.add("describe_transform_job", transformer.describe())

        training_code = tmp_path / "training"
        training_code.mkdir()
        (training_code / "train.py").write_text(textwrap.dedent(TRAINING_SCRIPT))
        estimator = HuggingFace(
            entry_point="train.py",
            source_dir=str(training_code),
            instance_type="local",
            instance_count=1,
            environment=dict(TOKEN_ENV),
            sagemaker_session=session,
            transformers_version="4.48.0",
            pytorch_version="2.3.0",
            py_version="py311",
        )
        with pytest.raises(ResourceFailedError) as training_failed:
            estimator.fit(logs=False)
        assert f"token hash {sha256(HF_TOKEN)}" in training_failed.value.failure_reason
        produced.add("training failure", str(training_failed.value))
        produced.add("describe_training_job", estimator.describe())

        assert produced.add_files(home) > 10
        assert not produced.leaks(), "\n".join(produced.leaks())
    finally:
        predictor.delete_endpoint()


CREATE_MODEL_ELSEWHERE = """
import sys
from sagemaker_hf.session import LocalSession

client = LocalSession(local_home=sys.argv[1]).sagemaker_client
client.create_model(
    ModelName="made-elsewhere",
    ExecutionRoleArn="arn:aws:iam::000000000000:role/local",
    PrimaryContainer={"Image": "local", "ModelDataUrl": sys.argv[2],
                      "Environment": {"HF_TOKEN": sys.argv[3], "SAGEMAKER_PROGRAM": "inference.py"}},
)
"""


def test_a_model_made_by_another_process_takes_the_token_from_this_environment(
    tmp_path, monkeypatch, tiny_models
):
    import subprocess
    import sys

    from sagemaker_hf.artifacts import CodeSpec, prepare_model_data
    from tests.local.conftest import wait_in_service

    home = tmp_path / "home"
    code = tmp_path / "code"
    code.mkdir()
    (code / "inference.py").write_text(textwrap.dedent(ENDPOINT_CODE))
    archive = tmp_path / "model.tar.gz"
    prepare_model_data(None, None, CodeSpec("inference.py", str(code)), f"file://{archive}")
    subprocess.run(
        [sys.executable, "-c", CREATE_MODEL_ELSEWHERE, str(home), f"file://{archive}", HF_TOKEN], check=True
    )
    record = (home / "registry" / "models" / "made-elsewhere.json").read_bytes()
    assert NEEDLE not in record.lower() and b"<secret, not written to disk: " in record

    client = LocalSession(local_home=home).sagemaker_client
    client.create_endpoint_config(
        EndpointConfigName="made-elsewhere",
        ProductionVariants=[
            {"VariantName": "AllTraffic", "ModelName": "made-elsewhere", "InstanceType": "local"}
        ],
    )
    monkeypatch.delenv("HF_TOKEN", raising=False)
    client.create_endpoint(EndpointName="no-token", EndpointConfigName="made-elsewhere")
    described = client.describe_endpoint(EndpointName="no-token")
    assert described["EndpointStatus"] == "Failed"
    assert "sets HF_TOKEN, whose value local mode never writes to disk" in described["FailureReason"]
    assert "Set HF_TOKEN in this process's environment" in described["FailureReason"]
    client.delete_endpoint(EndpointName="no-token")

    monkeypatch.setenv("HF_TOKEN", HF_TOKEN)
    client.create_endpoint(EndpointName="with-token", EndpointConfigName="made-elsewhere")
    try:
        wait_in_service(LocalSession(local_home=home), "with-token")
        runtime = LocalSession(local_home=home).sagemaker_runtime_client
        answer = runtime.invoke_endpoint(
            EndpointName="with-token", Body=b'{"inputs": "x"}', ContentType="application/json"
        )
        assert json.loads(answer["Body"].read())["HF_TOKEN"] == sha256(HF_TOKEN)
    finally:
        client.delete_endpoint(EndpointName="with-token")
