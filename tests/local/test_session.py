"""Choosing local mode, LocalSession's seam methods, and the local client's edges (no processes)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.local import endpoints, mode, processes
from sagemaker_hf.local.mode import LOCAL_ROLE_ARN
from sagemaker_hf.local.settings import LOCAL_HOME_VARIABLE, LOCAL_STARTUP_TIMEOUT_VARIABLE
from sagemaker_hf.local.training.container import JobTree, child_environment
from sagemaker_hf.session import LocalSession, Session, SessionSeam, session_for_instance_type

REPOSITORY = Path(__file__).resolve().parents[2]


def test_local_selects_a_local_session_without_one_being_passed(local_home):
    session = session_for_instance_type(None, "local")
    assert isinstance(session, LocalSession)
    assert session.local_settings.home == local_home.resolve()
    assert type(session_for_instance_type(None, "ml.m5.xlarge")) is Session


def test_a_given_local_session_is_kept_and_an_aws_one_lends_its_boto_session(local_home):
    local = LocalSession(local_home=local_home)
    assert session_for_instance_type(local, "local") is local
    aws = Session(boto_session=boto3.Session(region_name="eu-west-1"))
    derived = session_for_instance_type(aws, "local")
    assert isinstance(derived, LocalSession) and derived.boto_session is aws.boto_session
    assert derived.boto_region_name == "eu-west-1"


def test_local_gpu_without_cuda_is_a_clear_error(local_home, monkeypatch):
    monkeypatch.setattr(processes, "cuda_available", lambda: False)
    for spelling in ("local_gpu", "local-gpu"):
        with pytest.raises(ConfigurationError, match=r"torch sees none.*Use instance_type='local'"):
            session_for_instance_type(None, spelling)


def test_this_machine_has_no_cuda():
    assert processes.cuda_available() is False  # the real probe: CPU-only host


def test_local_gpu_spellings_are_normalised(local_home, monkeypatch):
    monkeypatch.setattr(processes, "cuda_available", lambda: True)
    assert isinstance(session_for_instance_type(None, "local-gpu"), LocalSession)
    assert mode.LOCAL_INSTANCE_TYPES["local-gpu"] == "local_gpu"
    assert mode.is_gpu_instance_type("local-gpu") and mode.is_gpu_instance_type("local_gpu")
    assert not mode.is_gpu_instance_type("local") and not mode.is_gpu_instance_type(None)
    assert mode.is_local_instance_type("local-gpu") and not mode.is_local_instance_type("ml.m5.xlarge")


def test_cpu_children_hide_gpus_and_never_inherit_the_hosts_model_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_TASK", "fill-mask")
    monkeypatch.setenv("SAGEMAKER_PROGRAM", "host.py")
    monkeypatch.setenv("HF_HOME", "/somewhere/hf")
    container = {"HF_TASK": "text-classification", "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code"}
    env = endpoints.child_environment(container, tmp_path / "model", 8123, tmp_path, gpu=False)
    assert env["HF_TASK"] == "text-classification" and "SAGEMAKER_PROGRAM" not in env
    assert env["SAGEMAKER_SUBMIT_DIRECTORY"] == f"{tmp_path}/model/code"
    assert (env["SM_MODEL_DIR"], env["SAGEMAKER_BIND_TO_PORT"]) == (str(tmp_path / "model"), "8123")
    assert env["CUDA_VISIBLE_DEVICES"] == "" and env["HF_HOME"] == "/somewhere/hf"
    gpu_env = endpoints.child_environment({}, tmp_path, 1, tmp_path, gpu=True)
    assert gpu_env.get("CUDA_VISIBLE_DEVICES") != ""


def test_every_child_gets_its_environment_from_one_builder(monkeypatch, tmp_path):
    # Endpoints, training jobs and test servers all start from processes.child_environment: the
    # host's variables less SM_*/SAGEMAKER_* (and, for a model server, the model's own), theirs
    # on top, this package first on PYTHONPATH.
    monkeypatch.setenv("SM_HOSTS", "host")
    monkeypatch.setenv("HF_TOKEN", "hf_host_token")
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    package_root = str(Path(processes.__file__).resolve().parents[2])
    endpoint = endpoints.child_environment({"HF_TASK": "fill-mask"}, tmp_path, 8080, tmp_path, gpu=False)
    tree = JobTree(tmp_path / "opt" / "ml")
    request = {"TrainingJobName": "job", "Environment": {"DATA": "/opt/ml/input/data/train"}}
    training = child_environment(request, {"SM_MODEL_DIR": str(tree.model)}, False, tree)
    for environment in (endpoint, training):
        assert environment["PYTHONPATH"] == f"{package_root}{os.pathsep}/elsewhere"
        assert environment["CUDA_VISIBLE_DEVICES"] == "" and "SM_HOSTS" not in environment
    assert endpoint["HF_TASK"] == "fill-mask" and "HF_TOKEN" not in endpoint  # the model decides
    assert training["HF_TOKEN"] == "hf_host_token"  # a training script may use the host's token
    assert training["DATA"] == f"{tree.root}/input/data/train" and training["TRAINING_JOB_NAME"] == "job"
    model_variables = processes.MODEL_VARIABLES
    server = processes.child_environment({"OMP_NUM_THREADS": "1"}, gpu=True, withheld=model_variables)
    assert "CUDA_VISIBLE_DEVICES" not in server and "HF_TOKEN" not in server


def test_local_session_needs_no_role_account_or_bucket(local_home, tmp_path):
    session = LocalSession(local_home=local_home)
    assert session.execution_role_arn(None, "deploying a model") == LOCAL_ROLE_ARN
    assert session.execution_role_arn("my-role", "x") == "arn:aws:iam::000000000000:role/my-role"
    assert session.artifact_uri("a", "b") == f"file://{local_home.resolve()}/artifacts/a/b"
    with pytest.raises(ConfigurationError, match="no default bucket"):
        session.default_bucket()
    assert session.direct_model_data_url("s3://b/k.tar.gz") == "s3://b/k.tar.gz"
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "config.json").write_text("{}")
    assert session.direct_model_data_url(str(tmp_path / "m")) == f"file://{tmp_path / 'm'}"
    with pytest.raises(ConfigurationError, match=r"no config\.json"):
        session.direct_model_data_url(str(tmp_path))  # the layout is checked as for SageMaker


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(LOCAL_HOME_VARIABLE, str(tmp_path / "home"))
    monkeypatch.setenv(LOCAL_STARTUP_TIMEOUT_VARIABLE, "42")
    settings = LocalSession().local_settings
    assert (settings.home, settings.startup_timeout_seconds) == ((tmp_path / "home").resolve(), 42.0)
    monkeypatch.setenv(LOCAL_STARTUP_TIMEOUT_VARIABLE, "soon")
    with pytest.raises(ConfigurationError, match="SAGEMAKER_HF_LOCAL_STARTUP_TIMEOUT='soon'"):
        LocalSession()


def test_jobs_and_other_operations_say_they_are_not_local(local_session):
    client = local_session.sagemaker_client
    # Transform jobs run locally now (tests/batch): their requests are checked as boto3 checks them.
    with pytest.raises(Exception, match='Missing required parameter in input: "ModelName"'):
        client.create_transform_job(TransformJobName="x")
    with pytest.raises(ClientError, match="CreateModelPackage is not available in local mode"):
        client.create_model_package(ModelPackageName="x")
    with pytest.raises(AttributeError):
        client.no_such_operation()


def _compares_with_local(tree: ast.AST) -> list[int]:
    """Lines comparing something with a "local..." string (``x == "local"``, ``x in ("local", ...)``)."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for constant in ast.walk(node):
                if isinstance(constant, ast.Constant) and str(constant.value).startswith("local"):
                    lines.append(node.lineno)
    return lines


def test_nothing_outside_the_seam_asks_about_local_mode():
    # The architecture's rule: only session/ (and local/, cli/) decide on local mode;
    # the image matrix maps "local"/"local_gpu" to cpu/gpu through a table, not a branch.
    package = REPOSITORY / "sagemaker_hf"
    seam = [package / "session", package / "local", package / "cli"]
    offenders = [
        f"{path.relative_to(REPOSITORY)}:{line}"
        for path in sorted(package.rglob("*.py"))
        if not any(path.is_relative_to(folder) for folder in seam)
        for line in _compares_with_local(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offenders == []


def _seam_members() -> set[str]:
    return {name for name in vars(SessionSeam) if not name.startswith("_")} | set(SessionSeam.__annotations__)


def test_local_session_overrides_exactly_the_seam():
    # The seam is one declared interface (session/base.SessionSeam): local mode changes these
    # members of a session and nothing else, so every other line of the SDK is one code path.
    overridden = {name for name in vars(LocalSession) if not name.startswith("_")}
    assert overridden == _seam_members()
    assert all(hasattr(Session, name) for name in _seam_members())


def test_docs_architecture_lists_the_seam():
    text = (REPOSITORY / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert [name for name in sorted(_seam_members()) if f"`{name}`" not in text] == []


def test_importing_the_session_module_stays_light():
    code = (
        "import sys, sagemaker_hf; sagemaker_hf.LocalSession; "
        "print(sorted(m for m in ('boto3', 'botocore', 'torch', 'transformers') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
