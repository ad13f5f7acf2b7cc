"""Local training through fit(): the container contract, failures, stop and resume, logs, attach.

The scripts here import no torch, so each job costs a Python start; the real fine-tuning
runs in test_train_and_deploy_example.py.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, ParamValidationError

from sagemaker_hf import HuggingFace, HuggingFaceModel, storage
from sagemaker_hf.errors import ResourceFailedError
from sagemaker_hf.local import processes
from sagemaker_hf.local.training.container import JobTree, training_environment, write_files
from sagemaker_hf.local.training.jobs import TrainingJobRecord
from tests.training.conftest import LOCAL_VERSIONS, write_script

CONTRACT_SCRIPT = """
    import json, os, sys
    from helpers import channel_files

    names = [name for name in os.environ if name.startswith("SM_")] + ["MY_FLAG", "CUDA_VISIBLE_DEVICES"]
    report = {
        "argv": sys.argv[1:],
        "env": {name: os.environ.get(name) for name in names},
        "files": {name: channel_files(name) for name in json.loads(os.environ["SM_CHANNELS"])},
        "config": sorted(os.listdir(os.environ["SM_INPUT_CONFIG_DIR"])),
        "cwd": os.getcwd(),
    }
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "contract.json"), "w") as handle:
        json.dump(report, handle)
    with open(os.path.join(os.environ["SM_OUTPUT_DATA_DIR"], "report.txt"), "w") as handle:
        handle.write("done")
    print("contract written for", os.environ["SM_CURRENT_HOST"])
"""
HELPERS = """
    import os

    def channel_files(name):
        return sorted(os.listdir(os.environ["SM_CHANNEL_" + name.upper()]))
"""


def _members(session: Any, uri: str) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(storage.read_bytes(session, uri)), mode="r:gz") as archive:
        return {m.name: archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()}  # type: ignore[union-attr]


def _estimator(session: Any, source_dir: Path, **arguments: Any) -> HuggingFace:
    return HuggingFace(
        entry_point="train.py",
        source_dir=str(source_dir),
        instance_type="local",
        sagemaker_session=session,
        **LOCAL_VERSIONS,
        **arguments,
    )


def test_the_script_gets_the_container_contract(training_session, moto_endpoint, tmp_path, capsys):
    source = write_script(tmp_path / "code", CONTRACT_SCRIPT)
    write_script(source, HELPERS, "helpers.py")
    (source / "requirements.txt").write_text("# nothing to install\n")
    train = tmp_path / "train"
    train.mkdir()
    (train / "train.jsonl").write_text('{"text": "good", "label": 1}\n')
    boto3.client("s3").create_bucket(Bucket="data")
    boto3.client("s3").put_object(Bucket="data", Key="sets/test/test.jsonl", Body=b'{"text": "bad"}\n')
    hyperparameters = {
        "epochs": 2,
        "model_id": "bert-base-uncased",
        "fp16": True,
        "layers": [1, 2],
        "lr": 5e-5,
        "output_dir": "/opt/ml/checkpoints",
    }
    estimator = _estimator(
        training_session, source, hyperparameters=hyperparameters, environment={"MY_FLAG": "1"}
    )

    estimator.fit({"train": str(train), "test": "s3://data/sets/test"})

    job = estimator.latest_training_job.name
    root = training_session.local_settings.home / "training-jobs" / job / "opt" / "ml"
    report = json.loads(_members(training_session, estimator.model_data)["contract.json"])
    assert report["argv"] == [
        "--epochs", "2", "--fp16", "True", "--layers", "[1, 2]", "--lr", "5e-05",
        "--model_id", "bert-base-uncased", "--output_dir", f"{root}/checkpoints",
    ]  # fmt: skip
    env = report["env"]
    assert env["SM_MODEL_DIR"] == f"{root}/model"
    assert env["SM_OUTPUT_DATA_DIR"] == f"{root}/output/data"
    assert env["SM_CHANNELS"] == '["test","train"]'
    assert env["SM_CHANNEL_TRAIN"] == f"{root}/input/data/train"
    assert report["files"] == {"test": ["test.jsonl"], "train": ["train.jsonl"]}
    assert json.loads(env["SM_HPS"]) == {**hyperparameters, "output_dir": f"{root}/checkpoints"}
    assert env["SM_HP_EPOCHS"] == "2" and env["SM_HP_MODEL_ID"] == "bert-base-uncased"
    assert json.loads(env["SM_USER_ARGS"]) == report["argv"]
    assert (env["SM_NUM_GPUS"], env["SM_NUM_CPUS"]) == ("0", str(os.cpu_count()))
    assert (env["SM_HOSTS"], env["SM_CURRENT_HOST"]) == ('["algo-1"]', "algo-1")
    assert env["SM_USER_ENTRY_POINT"] == "train.py" and env["SM_MODULE_NAME"] == "train"
    training_env = json.loads(env["SM_TRAINING_ENV"])
    assert training_env["job_name"] == job
    assert training_env["channel_input_dirs"]["test"] == f"{root}/input/data/test"
    assert (env["MY_FLAG"], env["CUDA_VISIBLE_DEVICES"]) == ("1", "")
    assert report["config"] == ["hyperparameters.json", "inputdataconfig.json", "resourceconfig.json"]
    assert report["cwd"] == f"{root}/code"
    # output.tar.gz sits next to model.tar.gz; the log was streamed while waiting.
    output = estimator.model_data.replace("model.tar.gz", "output.tar.gz")
    assert _members(training_session, output) == {"report.txt": b"done"}
    assert "contract written for algo-1" in capsys.readouterr().out
    assert not (training_session.local_settings.home / "training-jobs" / job / "opt").exists()

    # attach() and create_model() work on local jobs too.
    attached = HuggingFace.attach(job, sagemaker_session=training_session)
    assert (attached.framework_version, attached.pytorch_version) == ("4.48.0", "2.3.0")
    assert attached._hyperparameters == hyperparameters
    model = attached.create_model()
    assert isinstance(model, HuggingFaceModel)
    assert model.model_data == str(storage.local_path(estimator.model_data))


def test_a_failing_script_reports_its_exit_code_and_log_tail(training_session, tmp_path):
    source = write_script(
        tmp_path / "code",
        """
        print("loading 12 examples")
        raise ValueError("bad label 7 in train.jsonl")
        """,
    )
    estimator = _estimator(training_session, source)

    with pytest.raises(ResourceFailedError) as raised:
        estimator.fit(logs=False)

    reason = raised.value.failure_reason
    assert reason.startswith("AlgorithmError: ExecuteUserScriptError: ExitCode 1 (the script)")
    assert "loading 12 examples" in reason
    assert "ValueError: bad label 7 in train.jsonl" in reason
    assert estimator.describe()["TrainingJobStatus"] == "Failed"


CHECKPOINT_SCRIPT = """
    import argparse, os, time

    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int)
    parser.add_argument("--checkpoint_dir")
    args = parser.parse_args()
    marker = os.path.join(args.checkpoint_dir, "step.txt")
    start = int(open(marker).read()) if os.path.exists(marker) else 0
    print(f"resuming from step {start}", flush=True)
    for step in range(start + 1, args.steps + 1):
        os.makedirs(args.checkpoint_dir, exist_ok=True)
        with open(marker + ".tmp", "w") as handle:
            handle.write(str(step))
        os.replace(marker + ".tmp", marker)
        time.sleep(0.05)  # the work of one step
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "resumed_from.txt"), "w") as handle:
        handle.write(str(start))
"""


def test_stop_then_resume_from_the_checkpoints(training_session, tmp_path):
    source = write_script(tmp_path / "code", CHECKPOINT_SCRIPT)
    checkpoints = tmp_path / "checkpoints"
    settings = {"checkpoint_s3_uri": f"file://{checkpoints}", "use_spot_instances": True, "max_wait": 7200}
    endless = {"steps": 100000, "checkpoint_dir": "/opt/ml/checkpoints"}
    first = _estimator(training_session, source, hyperparameters=endless, max_run=3600, **settings)
    first.fit(wait=False)
    job = first.latest_training_job.name
    marker = (
        training_session.local_settings.home
        / "training-jobs"
        / job
        / "opt"
        / "ml"
        / "checkpoints"
        / "step.txt"
    )
    assert processes.wait_until(lambda: marker.exists() and int(marker.read_text() or 0) >= 3, timeout=60)

    first.stop_training_job()

    described = first.describe()
    assert (described["TrainingJobStatus"], described["SecondaryStatus"]) == ("Stopped", "Stopped")
    saved = int((checkpoints / "step.txt").read_text())
    assert saved >= 3
    resume = {"steps": saved + 2, "checkpoint_dir": "/opt/ml/checkpoints"}
    second = _estimator(training_session, source, hyperparameters=resume, max_run=3600, **settings)
    second.fit(logs=False)
    assert _members(training_session, second.model_data)["resumed_from.txt"] == str(saved).encode()
    assert (checkpoints / "step.txt").read_text() == str(saved + 2)


def test_local_requests_are_checked_like_boto3(training_session):
    client = training_session.sagemaker_client
    request = {
        "TrainingJobName": "checked",
        "AlgorithmSpecification": {"TrainingImage": "any", "TrainingInputMode": "File"},
        "RoleArn": "arn:aws:iam::000000000000:role/sagemaker-hf-local",
        "OutputDataConfig": {"S3OutputPath": "file:///tmp/out"},
        "ResourceConfig": {"InstanceType": "ml.p3.2xlarge", "InstanceCount": 1, "VolumeSizeInGB": 1},
        "StoppingCondition": {"MaxRuntimeInSeconds": 60},
        "HyperParameters": {"sagemaker_program": '"train.py"', "sagemaker_submit_directory": '"file:///x"'},
    }
    with pytest.raises(ClientError, match="cannot run locally") as raised:
        client.create_training_job(**request)
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    request["ResourceConfig"]["InstanceType"] = "local"
    with pytest.raises(ClientError, match="sagemaker_program and sagemaker_submit_directory"):
        client.create_training_job(**{**request, "HyperParameters": {}})
    with pytest.raises(ParamValidationError):
        client.create_training_job(**request, Unknown=1)
    with pytest.raises(ClientError, match="does not exist"):
        client.describe_training_job(TrainingJobName="never-created")
    assert "checked" not in client.registry.names(TrainingJobRecord)


def test_the_local_logs_client_reads_whole_lines(training_session, tmp_path):
    from sagemaker_hf.local import botocore_model

    registry = training_session.sagemaker_client.registry
    now = botocore_model.now()
    record = TrainingJobRecord(
        name="logged-job", arn="arn:x", created=now, modified=now, request={}, work_dir=tmp_path / "job"
    )
    record.work_dir.mkdir()
    record.log_path.write_text("Downloading 10%\rDownloading 100%\nepoch 1\npartial")
    registry.save(record)
    logs = training_session.logs_client
    try:
        [stream] = logs.describe_log_streams(
            logGroupName="/aws/sagemaker/TrainingJobs", logStreamNamePrefix="logged-job/"
        )["logStreams"]
        first = logs.get_log_events(
            logGroupName="/aws/sagemaker/TrainingJobs",
            logStreamName=stream["logStreamName"],
            startFromHead=True,
        )
        assert [event["message"] for event in first["events"]] == ["Downloading 100%", "epoch 1"]
        with record.log_path.open("a") as handle:
            handle.write("ly written\n")
        second = logs.get_log_events(
            logGroupName="/aws/sagemaker/TrainingJobs",
            logStreamName=stream["logStreamName"],
            nextToken=first["nextForwardToken"],
        )
        assert [event["message"] for event in second["events"]] == ["partially written"]
        with pytest.raises(ClientError) as raised:
            logs.describe_log_streams(logGroupName="/aws/sagemaker/Endpoints/x")
        assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
    finally:
        registry.remove(TrainingJobRecord, "logged-job")


def test_requirements_are_installed_before_the_script(training_session, tmp_path):
    # Installed ones are only checked (no network); a line pip cannot read fails the job before the script.
    source = write_script(tmp_path / "code", "print('script ran')\n")
    (source / "requirements.txt").write_text("pydantic>=2\n")
    estimator = _estimator(training_session, source)
    estimator.fit(logs=False)
    log = (
        training_session.local_settings.home / "training-jobs" / estimator.latest_training_job.name
    ).joinpath("training.log")
    assert "[sagemaker-hf] installing requirements.txt" in log.read_text()

    (source / "requirements.txt").write_text("this is not a requirement ==\n")
    broken = _estimator(training_session, source)
    with pytest.raises(ResourceFailedError, match=r"ExitCode \d+ \(installing requirements.txt\)") as raised:
        broken.fit(logs=False)
    assert "script ran" not in raised.value.failure_reason


def test_the_training_environment_is_computed_without_writing_anything(tmp_path):
    tree = JobTree(tmp_path / "opt" / "ml")
    request = {
        "TrainingJobName": "job",
        "HyperParameters": {"epochs": "3", "sagemaker_program": '"train.py"', "sagemaker_job_name": '"job"'},
        "ResourceConfig": {"InstanceType": "local"},
        "AlgorithmSpecification": {"TrainingInputMode": "File"},
        "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {"S3Uri": "file:///d"}}}],
    }
    environment = training_environment(request, tree, num_gpus=0)
    assert not tree.root.exists()  # pure: the tree is made, and the files written, by the job
    assert environment.arguments == ["--epochs", "3"]
    assert environment.variables["SM_CHANNEL_TRAIN"] == str(tree.channel("train"))
    assert environment.variables["SM_USER_ENTRY_POINT"] == "train.py"
    assert sorted(path.name for path in environment.files) == [
        "hyperparameters.json",
        "inputdataconfig.json",
        "resourceconfig.json",
    ]
    tree.make()
    write_files(environment.files)
    hyperparameters = json.loads((tree.config / "hyperparameters.json").read_text())
    assert hyperparameters == request["HyperParameters"]
