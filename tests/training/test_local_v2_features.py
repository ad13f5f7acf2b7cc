"""SDK v2's training features in local mode: git_config, logs_for_job, uncompressed output, attach.

Each job runs a script that imports nothing heavy, so each costs a Python start.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sagemaker_hf import HuggingFace, storage
from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.training.estimator import Estimator
from tests.training.conftest import LOCAL_VERSIONS, write_script
from tests.training.git_repos import git, make_repository

SAVE_MODEL = """
    import os, sys
    print("training with", sys.argv[1:])
    model_dir = os.environ["SM_MODEL_DIR"]
    os.makedirs(os.path.join(model_dir, "tokenizer"))
    open(os.path.join(model_dir, "config.json"), "w").write('{"model_type": "bert"}')
    open(os.path.join(model_dir, "tokenizer", "vocab.txt"), "w").write("hello")
"""


def _estimator(session: Any, **arguments: Any) -> HuggingFace:
    return HuggingFace(instance_type="local", sagemaker_session=session, **LOCAL_VERSIONS, **arguments)


def test_git_config_trains_the_script_of_the_branch(training_session, tmp_path, capsys):
    repository = make_repository(tmp_path / "origin")
    git(repository.path, "checkout", "--quiet", "dev")
    (repository.path / "examples" / "qa" / "run_qa.py").write_text("print('qa from dev')\n")
    git(repository.path, "commit", "--quiet", "-am", "qa on dev")
    git(repository.path, "checkout", "--quiet", "main")
    estimator = _estimator(
        training_session,
        entry_point="run_qa.py",
        source_dir="examples/qa",
        git_config={"repo": str(repository.path), "branch": "dev"},
        hyperparameters={"epochs": 1},
    )
    estimator.fit()
    assert "qa from dev" in capsys.readouterr().out
    hyperparameters = estimator.describe()["HyperParameters"]
    assert json.loads(hyperparameters["sagemaker_program"]) == "run_qa.py"
    # After fit(), v2's attributes hold what was used.
    assert estimator.base_job_name == "huggingface-pytorch-training"
    assert estimator._current_job_name == estimator.latest_training_job.name
    assert estimator.output_path == training_session.artifact_uri() + "/"
    assert estimator.source_dir == "examples/qa"  # the user's value; the checkout is gone


def test_a_missing_source_dir_in_the_repository_fails_before_any_job(training_session, tmp_path):
    repository = make_repository(tmp_path / "origin")
    estimator = _estimator(
        training_session, entry_point="train.py", source_dir="nope", git_config={"repo": str(repository.path)}
    )
    with pytest.raises(ConfigurationError, match="source_dir='nope' is not a folder"):
        estimator.fit()
    assert estimator.latest_training_job is None


def test_logs_for_job_prints_a_local_job(training_session, tmp_path, capsys):
    source = write_script(tmp_path / "code", "print('line one')\nprint('line two')\n")
    estimator = _estimator(training_session, entry_point="train.py", source_dir=str(source))
    estimator.fit(wait=False)
    training_session.logs_for_job(estimator.latest_training_job.name, wait=True)
    printed = capsys.readouterr().out.splitlines()
    assert "line one" in printed and printed.index("line two") == printed.index("line one") + 1


def test_uncompressed_output_is_a_folder_and_model_data_is_v2s_dict(training_session, tmp_path):
    source = write_script(tmp_path / "code", SAVE_MODEL)
    estimator = _estimator(
        training_session, entry_point="train.py", source_dir=str(source), disable_output_compression=True
    )
    estimator.fit(logs=False)
    model_data = estimator.model_data
    assert isinstance(model_data, dict)
    source_uri = model_data["S3DataSource"]["S3Uri"]
    assert model_data == {
        "S3DataSource": {"S3Uri": source_uri, "S3DataType": "S3Prefix", "CompressionType": "None"}
    }
    assert source_uri.endswith(f"/{estimator.latest_training_job.name}/output/model/")
    folder = storage.local_path(source_uri)
    assert sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()) == [
        "config.json",
        "tokenizer/vocab.txt",
    ]
    assert not (folder.parent / "model.tar.gz").exists()


def test_the_generic_estimator_attaches_to_a_local_job(training_session, tmp_path):
    source = write_script(tmp_path / "code", SAVE_MODEL)
    estimator = _estimator(
        training_session, entry_point="train.py", source_dir=str(source), hyperparameters={"lr": 0.1}
    )
    estimator.fit(logs=False)
    attached = Estimator.attach(estimator.latest_training_job.name, sagemaker_session=training_session)
    assert attached.model_data == estimator.model_data
    assert attached.latest_training_job.name == estimator.latest_training_job.name
    assert attached.hyperparameters()["lr"] == "0.1"
    assert Path(storage.local_path(attached.model_data)).is_file()
    model = attached.create_model()
    assert (model.framework_version, model.pytorch_version) == (
        LOCAL_VERSIONS["transformers_version"],
        LOCAL_VERSIONS["pytorch_version"],
    )
