"""Untrusted bytes never become code: ``.npy`` pickles are refused (server and SDK), custom model
code runs only with ``HF_TRUST_REMOTE_CODE``, and ``code/requirements.txt`` reaches pip as
data (no shell) with the container's pip settings (``PIP_INDEX_URL``) applied.

Each hostile payload would create a marker file if it ever ran; the tests check it does not.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from sagemaker_hf.serializers import NumpyDeserializer
from sagemaker_hf.toolkit.errors import ModelLoadError
from sagemaker_hf.toolkit.settings import load_settings
from sagemaker_hf.toolkit.user_code import install_requirements
from tests.fixtures.toolkit_server import running_server

NPY = "application/x-npy"


class _OpensAFile:
    """Unpickling this object calls open(path, "w"): proof that a pickle ran."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def pickled_npy(marker: Path) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.array([_OpensAFile(marker), 1], dtype=object), allow_pickle=True)
    return buffer.getvalue()


# ---------------------------------------------------------------------------- .npy


@pytest.mark.slow
def test_the_server_refuses_a_pickled_npy_body_without_unpickling_it(tiny_models, tmp_path):
    marker = tmp_path / "unpickled"
    with running_server(tiny_models["text-classification"], env={"HF_TASK": "text-classification"}) as server:
        response = server.client.post(
            "/invocations", content=pickled_npy(marker), headers={"content-type": NPY}
        )
        numeric = io.BytesIO()
        np.save(numeric, np.array([1.0, 2.0]))
        numbers = server.client.post(
            "/invocations", content=numeric.getvalue(), headers={"content-type": NPY}
        )
    assert response.status_code == 400
    assert "never unpickles request data" in response.json()["message"]
    assert numbers.status_code == 400  # read (without pickle), then refused as not text
    assert "text-classification expects 'inputs'" in numbers.json()["message"]
    assert not marker.exists()


def test_the_sdk_never_unpickles_an_npy_answer(tmp_path):
    marker = tmp_path / "unpickled"
    with pytest.raises(ValueError, match="allow_pickle=False"):
        NumpyDeserializer().deserialize(io.BytesIO(pickled_npy(marker)), NPY)
    assert not marker.exists()


# ---------------------------------------------------------------------------- trust_remote_code


def probe_model(directory: Path, marker: Path) -> Path:
    """A model whose config class is custom code (``auto_map``) that writes ``marker`` when imported."""
    directory.mkdir(parents=True)
    config = {
        "model_type": "sagemaker-hf-probe",
        "architectures": ["ProbeForSequenceClassification"],
        "auto_map": {"AutoConfig": "configuration_probe.ProbeConfig"},
    }
    (directory / "config.json").write_text(json.dumps(config))
    (directory / "configuration_probe.py").write_text(
        f"from pathlib import Path\nPath({str(marker)!r}).write_text('custom code ran')\n\n"
        "from transformers import PretrainedConfig\n\n\n"
        "class ProbeConfig(PretrainedConfig):\n    model_type = 'sagemaker-hf-probe'\n"
    )
    return directory


def test_trust_remote_code_is_off_unless_set():
    assert load_settings({}).trust_remote_code is False
    assert load_settings({"HF_TRUST_REMOTE_CODE": "true"}).trust_remote_code is True
    assert load_settings({"HF_TRUST_REMOTE_CODE": "false"}).trust_remote_code is False


@pytest.mark.slow
def test_custom_model_code_runs_only_with_hf_trust_remote_code(tmp_path):
    marker = tmp_path / "custom-code-ran"
    model_dir = probe_model(tmp_path / "model", marker)
    env = {"HF_TASK": "text-classification", "HF_MODULES_CACHE": str(tmp_path / "modules")}
    with running_server(model_dir, env=env, wait_ready=False) as server:
        ping = server.wait_for_ping(lambda r: r.json().get("type") == "ModelLoadError")
    assert "trust_remote_code" in ping.json()["message"]
    assert not marker.exists()
    trusted = {**env, "HF_TRUST_REMOTE_CODE": "true"}
    with running_server(model_dir, env=trusted, wait_ready=False) as server:
        server.wait_until(marker.exists, what="the custom code to run")
        server.wait_for_ping(lambda r: r.status_code != 503 or r.json().get("type") == "ModelLoadError")
    assert marker.read_text() == "custom code ran"


# ---------------------------------------------------------------------------- requirements.txt

PROBE_PACKAGE = "sagemaker-hf-probe"


def _wheel(directory: Path) -> Path:
    """A minimal pure-Python wheel of ``sagemaker_hf_probe`` 0.1, built offline."""
    name, version = "sagemaker_hf_probe", "0.1"
    dist_info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": b"INSTALLED_FROM = 'the local index'\n",
        f"{dist_info}/METADATA": (
            f"Metadata-Version: 2.1\nName: {PROBE_PACKAGE}\nVersion: {version}\n".encode()
        ),
        f"{dist_info}/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = [
        f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},{len(data)}"
        for path, data in files.items()
    ]
    files[f"{dist_info}/RECORD"] = ("\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n").encode()
    path = directory / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for member, data in files.items():
            wheel.writestr(member, data)
    return path


@pytest.fixture
def local_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PEP 503 index on disk holding only the probe wheel; pip installs into a target folder
    (PIP_TARGET), never into this environment. Returns the target."""
    project = tmp_path / "index" / PROBE_PACKAGE
    project.mkdir(parents=True)
    wheel = _wheel(project)
    (project / "index.html").write_text(f'<a href="{wheel.name}">{wheel.name}</a>\n')
    target = tmp_path / "installed"
    monkeypatch.setenv("PIP_INDEX_URL", (tmp_path / "index").as_uri())
    monkeypatch.setenv("PIP_TARGET", str(target))
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    return target


@pytest.mark.slow
def test_requirements_are_installed_from_the_index_pip_is_configured_with(local_index, tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"{PROBE_PACKAGE}==0.1\n")
    install_requirements(requirements)
    installed = local_index / "sagemaker_hf_probe" / "__init__.py"
    assert installed.read_text() == "INSTALLED_FROM = 'the local index'\n"


@pytest.mark.slow
@pytest.mark.parametrize(
    "line",
    [
        f"{PROBE_PACKAGE} ; touch {{marker}}",
        "$(touch {marker})",
        "`touch {marker}`",
        f"{PROBE_PACKAGE} && touch {{marker}}",
        f"{PROBE_PACKAGE} | touch {{marker}}",
    ],
)
def test_a_requirement_line_is_data_for_pip_never_a_shell_command(local_index, tmp_path, line):
    marker = tmp_path / "shell-ran"
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(line.format(marker=marker) + "\n")
    with pytest.raises(ModelLoadError) as raised:
        install_requirements(requirements)
    message = raised.value.message
    assert "failed (pip exit code" in message
    assert str(marker) in message  # pip quotes the line it could not parse: it got it verbatim
    assert not marker.exists()
    assert not local_index.exists()  # and installed nothing
