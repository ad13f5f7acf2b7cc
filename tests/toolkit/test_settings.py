"""Settings from the environment and flags, and the `serve` command line (no server)."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from sagemaker_hf.toolkit.__main__ import main
from sagemaker_hf.toolkit.errors import SettingsError
from sagemaker_hf.toolkit.settings import Settings, load_settings

SECRET = "hf_secret_settings_0123456789"


def test_defaults_match_the_container_contract():
    settings = load_settings({})
    assert settings.model_dir == Path("/opt/ml/model")
    assert settings.port == 8080
    assert settings.host == "0.0.0.0"
    assert settings.workers == 1
    assert settings.timeout == 60
    assert settings.max_payload_mb == 6
    assert settings.max_payload_bytes == 6 * 1024 * 1024
    assert settings.trust_remote_code is False
    assert settings.program_name == "inference.py"
    assert settings.code_dir() == Path("/opt/ml/model/code")
    assert settings.log_level == logging.INFO


def test_environment_is_read():
    settings = load_settings(
        {
            "SM_MODEL_DIR": "/models/bert",
            "HF_MODEL_ID": "distilbert-base-uncased",
            "HF_MODEL_REVISION": "03b4d196",
            "HF_TASK": "question-answering",
            "HF_TRUST_REMOTE_CODE": "true",
            "SAGEMAKER_PROGRAM": "serve.py",
            "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/code",
            "SAGEMAKER_MODEL_SERVER_WORKERS": "3",
            "SAGEMAKER_MODEL_SERVER_TIMEOUT": "30",
            "SAGEMAKER_MAX_PAYLOAD_IN_MB": "20",
            "SAGEMAKER_BIND_TO_PORT": "9000",
            "SAGEMAKER_CONTAINER_LOG_LEVEL": "10",
        }
    )
    assert settings.model_dir == Path("/models/bert")
    assert (settings.hf_model_id, settings.hf_model_revision) == ("distilbert-base-uncased", "03b4d196")
    assert settings.hf_task == "question-answering"
    assert settings.trust_remote_code is True
    assert settings.code_dir() / settings.program_name == Path("/opt/code/serve.py")
    assert (settings.workers, settings.timeout, settings.max_payload_mb, settings.port) == (3, 30, 20, 9000)
    assert settings.log_level == logging.DEBUG


def test_flags_override_the_environment():
    settings = load_settings(
        {"SAGEMAKER_BIND_TO_PORT": "9000", "HF_TASK": "fill-mask"},
        {"port": 9100, "hf_task": "text-classification", "workers": None},
    )
    assert settings.port == 9100
    assert settings.hf_task == "text-classification"
    assert settings.workers == 1


def test_empty_values_count_as_unset():
    settings = load_settings({"HF_TASK": "", "SAGEMAKER_BIND_TO_PORT": "  "})
    assert settings.hf_task is None
    assert settings.port == 8080


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"SAGEMAKER_MODEL_SERVER_WORKERS": "abc"}, "SAGEMAKER_MODEL_SERVER_WORKERS='abc'"),
        ({"SAGEMAKER_MODEL_SERVER_WORKERS": "0"}, "SAGEMAKER_MODEL_SERVER_WORKERS='0'"),
        ({"SAGEMAKER_BIND_TO_PORT": "70000"}, "SAGEMAKER_BIND_TO_PORT='70000'"),
        ({"SAGEMAKER_MAX_PAYLOAD_IN_MB": "lots"}, "SAGEMAKER_MAX_PAYLOAD_IN_MB='lots'"),
        ({"HF_TRUST_REMOTE_CODE": "perhaps"}, "HF_TRUST_REMOTE_CODE='perhaps'"),
        ({"SAGEMAKER_CONTAINER_LOG_LEVEL": "loud"}, "SAGEMAKER_CONTAINER_LOG_LEVEL='loud'"),
    ],
)
def test_bad_values_name_the_variable_and_value(environ, named):
    with pytest.raises(SettingsError, match="invalid setting") as caught:
        load_settings(environ)
    assert named in str(caught.value)


def test_transport_limits_have_defaults_and_are_read_from_the_environment():
    defaults = load_settings({})
    assert (defaults.max_header_bytes, defaults.max_header_count) == (32 * 1024, 100)
    assert (defaults.header_timeout, defaults.body_timeout, defaults.keep_alive_timeout) == (30, 30, 75)
    assert defaults.max_connections == 1000
    settings = load_settings(
        {
            "SAGEMAKER_HF_MAX_HEADER_BYTES": "8192",
            "SAGEMAKER_HF_MAX_HEADER_COUNT": "20",
            "SAGEMAKER_HF_HEADER_TIMEOUT": "2.5",
            "SAGEMAKER_HF_BODY_TIMEOUT": "4",
            "SAGEMAKER_HF_KEEP_ALIVE_TIMEOUT": "10",
            "SAGEMAKER_HF_MAX_CONNECTIONS": "64",
        }
    )
    assert (settings.max_header_bytes, settings.max_header_count) == (8192, 20)
    assert (settings.header_timeout, settings.body_timeout, settings.keep_alive_timeout) == (2.5, 4, 10)
    assert settings.max_connections == 64


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SAGEMAKER_HF_MAX_HEADER_BYTES", "100"),  # below a request line with a few headers
        ("SAGEMAKER_HF_MAX_HEADER_COUNT", "many"),
        ("SAGEMAKER_HF_HEADER_TIMEOUT", "0"),
        ("SAGEMAKER_HF_BODY_TIMEOUT", "-1"),
        ("SAGEMAKER_HF_KEEP_ALIVE_TIMEOUT", "forever"),
        ("SAGEMAKER_HF_MAX_CONNECTIONS", "0"),
    ],
)
def test_bad_transport_limits_name_the_variable(variable, value):
    with pytest.raises(SettingsError, match=f"{variable}='{value}'"):
        load_settings({variable: value})


def test_bad_flag_values_name_the_flag():
    with pytest.raises(SettingsError, match="--workers=0"):
        load_settings({}, {"workers": 0})


@pytest.mark.parametrize(("value", "level"), [("20", 20), ("debug", 10), ("WARNING", 30), ("40", 40)])
def test_log_level_takes_names_and_numbers(value, level):
    assert load_settings({"SAGEMAKER_CONTAINER_LOG_LEVEL": value}).log_level == level


@pytest.mark.parametrize("variable", ["HF_API_TOKEN", "HF_TOKEN"])
def test_both_token_names_work_and_the_token_never_shows(variable):
    settings = load_settings({variable: SECRET})
    assert settings.token_value() == SECRET
    for shown in (repr(settings), str(settings), settings.model_dump_json(), f"{settings}"):
        assert SECRET not in shown


def test_hf_api_token_wins_over_hf_token():
    assert load_settings({"HF_API_TOKEN": "hf_a", "HF_TOKEN": "hf_b"}).token_value() == "hf_a"


def test_a_uri_submit_directory_falls_back_to_the_model_code_folder(caplog):
    settings = load_settings(
        {"SAGEMAKER_SUBMIT_DIRECTORY": "s3://bucket/sourcedir.tar.gz", "SM_MODEL_DIR": "/m"}
    )
    with caplog.at_level(logging.WARNING):
        assert settings.code_dir(logging.getLogger("test")) == Path("/m/code")
    assert "package code/ into model.tar.gz" in caplog.text


def test_settings_are_immutable():
    settings = Settings()
    with pytest.raises(ValueError):
        settings.port = 1  # type: ignore[misc]


def test_serve_with_a_bad_variable_exits_2_naming_it(monkeypatch, capsys):
    monkeypatch.setenv("SAGEMAKER_MODEL_SERVER_WORKERS", "abc")
    assert main(["serve", "--port", "1"]) == 2
    assert "SAGEMAKER_MODEL_SERVER_WORKERS='abc'" in capsys.readouterr().err


def test_serve_help_lists_flags_and_variables():
    # Through the SDK's CLI, which delegates `serve` to the toolkit.
    result = subprocess.run(
        [sys.executable, "-m", "sagemaker_hf.cli", "serve", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for expected in (
        "--model-dir",
        "--port",
        "--workers",
        "--task",
        "SAGEMAKER_MODEL_SERVER_WORKERS",
        "HF_TOKEN",
        "SAGEMAKER_HF_MAX_HEADER_BYTES",
        "SAGEMAKER_HF_MAX_CONNECTIONS",
    ):
        assert expected in result.stdout


def test_the_front_process_imports_no_model_libraries():
    code = (
        "import sys\n"
        "from sagemaker_hf.toolkit import server, pool, __main__\n"
        "from sagemaker_hf.toolkit.settings import Settings\n"
        "server.create_app(Settings(), pool.WorkerPool(Settings()))\n"
        "print(sorted(m for m in ('torch', 'transformers', 'numpy', 'PIL', 'boto3') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
