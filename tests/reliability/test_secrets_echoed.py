"""Secrets that something *echoes*: pip reading ``-r /proc/self/environ`` or expanding
``${NAME}``, user code printing its environment, an error quoting a credential.

The attacker is a model author: the archive's ``code/requirements.txt`` and ``inference.py``
are theirs. The host has AWS credentials in its environment and the model's own
``Environment`` carries a password. After each attack every text the run produced (the
exception ``deploy()`` raised, every description, every file under the local home, the
server's answers and log) is searched for any of them.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from sagemaker_hf import HuggingFace, HuggingFaceModel
from sagemaker_hf.container.redaction import MASK, Redactor, secret_values
from sagemaker_hf.container.requirements import check_references, has_requirements
from sagemaker_hf.errors import ResourceFailedError, UnsafeRequirementsError
from sagemaker_hf.session import LocalSession
from tests.fixtures.local_mode import LOCAL_VERSIONS
from tests.fixtures.toolkit_server import running_server
from tests.reliability.test_secrets import NEEDLE, SECRET_ENV, Produced

MODEL_PASSWORD = "svc-pw-DoNotLeak-4242"


def _model_with_code(
    tmp_path: Path, tiny_model: Path, requirements: str, inference: str | None = None
) -> Path:
    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model, model_dir)
    code = model_dir / "code"
    code.mkdir()
    (code / "requirements.txt").write_text(requirements)
    if inference is not None:
        (code / "inference.py").write_text(textwrap.dedent(inference))
    return model_dir


def _deploy_and_collect(tmp_path: Path, model_dir: Path, name: str) -> tuple[ResourceFailedError, Produced]:
    home = tmp_path / "home"
    session = LocalSession(local_home=home)
    model = HuggingFaceModel(
        model_data=str(model_dir),
        env={"HF_TASK": "text-classification", "MY_SERVICE_PASSWORD": MODEL_PASSWORD},
        sagemaker_session=session,
        **LOCAL_VERSIONS,
    )
    produced = Produced()
    with pytest.raises(ResourceFailedError) as failed:
        model.deploy(1, "local", endpoint_name=name)
    produced.add("deploy error", str(failed.value))
    client = session.sagemaker_client
    produced.add("describe_endpoint", client.describe_endpoint(EndpointName=name))
    produced.add("list_endpoints", client.list_endpoints())
    client.delete_endpoint(EndpointName=name)
    assert produced.add_files(home) >= 3  # records and server.log
    return failed.value, produced


@pytest.mark.slow
def test_a_requirements_file_including_the_environment_is_refused_and_leaks_nothing(
    tmp_path, monkeypatch, tiny_models
):
    for variable, value in SECRET_ENV.items():
        monkeypatch.setenv(variable, value)
    model_dir = _model_with_code(tmp_path, tiny_models["text-classification"], "-r /proc/self/environ\n")
    error, produced = _deploy_and_collect(tmp_path, model_dir, "environ-include")
    assert "code/requirements.txt line 1: -r /proc/self/environ points outside code/" in str(error)
    assert not produced.leaks(), "\n".join(produced.leaks())


@pytest.mark.slow
def test_a_secret_pip_expands_and_echoes_is_masked_everywhere(tmp_path, monkeypatch, tiny_models):
    for variable, value in SECRET_ENV.items():
        monkeypatch.setenv(variable, value)
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # pip fails at once, offline, quoting the expanded line
    requirements = "no-such-package==${MY_SERVICE_PASSWORD}\nother-package==${AWS_SECRET_ACCESS_KEY}\n"
    model_dir = _model_with_code(tmp_path, tiny_models["text-classification"], requirements)
    error, produced = _deploy_and_collect(tmp_path, model_dir, "expanded-secret")
    assert "no-such-package==" + MASK in str(error)  # pip's words are kept, the value is not
    assert not produced.leaks(), "\n".join(produced.leaks())


PRINTING_CODE = """
    import os

    def model_fn(model_dir):
        print("environment:", dict(os.environ), flush=True)
        return "echo"

    def predict_fn(data, model):
        raise RuntimeError("cannot reach the database with " + os.environ["MY_SERVICE_PASSWORD"])
"""


@pytest.mark.slow
def test_user_code_printing_its_environment_or_raising_with_a_secret_leaks_nothing(tiny_models, tmp_path):
    model_dir = _model_with_code(tmp_path, tiny_models["text-classification"], "", PRINTING_CODE)
    env = {**SECRET_ENV, "MY_SERVICE_PASSWORD": MODEL_PASSWORD, "HF_TASK": "text-classification"}
    produced = Produced()
    with running_server(model_dir, env=env) as server:
        response = server.client.post("/invocations", json={"inputs": "x"})
        assert response.status_code == 500
        produced.add("answer", response.content)
        log = server.wait_for_log("cannot reach the database")
        produced.add("log", log)
    assert "environment:" in log and "cannot reach the database with " + MASK in response.text
    assert not produced.leaks(), "\n".join(produced.leaks())


@pytest.mark.parametrize(
    ("lines", "refused"),
    [
        ("-r /proc/self/environ", "-r /proc/self/environ points outside code/"),
        ("--requirement=/etc/passwd", "--requirement /etc/passwd points outside code/"),
        ("-r/proc/self/environ", "-r /proc/self/environ points outside code/"),
        ("-c ../constraints.txt", "-c ../constraints.txt points outside code/"),
        ("--constraint ../../etc/shadow", "--constraint ../../etc/shadow points outside code/"),
        ("-r https://example.com/reqs.txt", "names a URL"),
        ("-r ${HOME}/reqs.txt", "points outside code/"),
        ("torch \\\n  -r /proc/self/environ", "line 1: -r /proc/self/environ"),
        ("-r nested/more.txt", "code/nested/more.txt line 2: -r ../../x.txt points outside code/"),
        ("-r escape.txt", "-r escape.txt points outside code/"),  # a link inside code/ to a file outside
    ],
)
def test_requirement_file_references_outside_code_are_refused(tmp_path, lines, refused):
    code = tmp_path / "code"
    (code / "nested").mkdir(parents=True)
    (code / "nested" / "more.txt").write_text("numpy\n-r ../../x.txt\n")
    (tmp_path / "outside.txt").write_text("numpy\n")
    (code / "escape.txt").symlink_to(tmp_path / "outside.txt")
    (code / "requirements.txt").write_text(lines + "\n")
    with pytest.raises(UnsafeRequirementsError, match="Copy the file into code/") as caught:
        check_references(code / "requirements.txt", environ={"HOME": "/root"})
    assert refused in str(caught.value)


def test_requirement_files_inside_code_and_comments_are_accepted(tmp_path):
    code = tmp_path / "code"
    (code / "more").mkdir(parents=True)
    (code / "more" / "base.txt").write_text("-c ../constraints.txt\nnumpy\n")
    (code / "constraints.txt").write_text("numpy<3\n")
    (code / "requirements.txt").write_text(
        "# -r /proc/self/environ is only a comment\n-r more/base.txt  # trailing comment\n"
        "--requirement=more/base.txt\n-r missing.txt\npandas\n"
    )
    check_references(code / "requirements.txt", environ={})  # no error: pip reports the missing file
    assert has_requirements(code / "requirements.txt")
    (code / "empty.txt").write_text("# only a comment\n\n   # another\n")
    assert not has_requirements(code / "empty.txt") and not has_requirements(code / "missing.txt")


TRAINING_SCRIPT = """
    import os

    print("my password is", os.environ["MY_SERVICE_PASSWORD"], flush=True)
    print("and my keys:", os.environ["AWS_SECRET_ACCESS_KEY"], os.environ["AWS_ACCESS_KEY_ID"], flush=True)
"""


@pytest.mark.slow
@pytest.mark.parametrize("attack", ["requirements", "script"])
def test_a_local_training_job_never_writes_a_secret(tmp_path, monkeypatch, attack):
    for variable, value in SECRET_ENV.items():
        monkeypatch.setenv(variable, value)
    code = tmp_path / "code"
    code.mkdir()
    (code / "train.py").write_text(textwrap.dedent(TRAINING_SCRIPT))
    if attack == "requirements":
        (code / "requirements.txt").write_text("-r /proc/self/environ\n")
    home = tmp_path / "home"
    session = LocalSession(local_home=home)
    estimator = HuggingFace(
        entry_point="train.py",
        source_dir=str(code),
        instance_type="local",
        instance_count=1,
        environment={"MY_SERVICE_PASSWORD": MODEL_PASSWORD},
        sagemaker_session=session,
        transformers_version="4.48.0",
        pytorch_version="2.3.0",
        py_version="py311",
    )
    produced = Produced()
    if attack == "requirements":
        with pytest.raises(ResourceFailedError) as failed:
            estimator.fit(logs=False)
        assert "-r /proc/self/environ points outside code/" in failed.value.failure_reason
        produced.add("training failure", str(failed.value))
    else:
        estimator.fit(logs=False)
        (log,) = home.rglob("*.log")
        assert f"my password is {MASK}" in log.read_text()
    produced.add("describe_training_job", estimator.describe())
    assert produced.add_files(home) >= 3
    assert not produced.leaks(), "\n".join(produced.leaks())


def test_the_redactor_masks_values_longest_first_and_credential_shapes():
    redactor = Redactor(["abcdef", "abcdefghij", "xy"])
    assert redactor.redact("key=abcdefghij, short=abcdef, tiny=xy") == f"key={MASK}, short={MASK}, tiny=xy"
    shaped = "hf_" + "a1B2" * 8 + " AKIAABCDEFGHIJKLMNOP ghp_" + "x" * 36
    assert redactor.redact(shaped) == f"{MASK} {MASK} {MASK}"
    assert secret_values({"AWS_SECRET_ACCESS_KEY": "s3cr3t-value", "HF_TOKEN": "1", "PATH": "/usr/bin"}) == {
        "s3cr3t-value"
    }


def test_the_needle_is_in_every_secret_this_file_uses():
    assert NEEDLE in MODEL_PASSWORD.lower().encode()
