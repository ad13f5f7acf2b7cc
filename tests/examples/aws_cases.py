"""The examples that need AWS, run against the moto server by configuration alone.

Each case queues what the endpoint answers (moto returns a canned body otherwise), runs the
example, and checks what reached the server: the training job as moto holds it, S3
objects, scaling policies, and (for resources the example deletes, and the fields moto
replaces) the calls the process made, recorded by ``capture/sitecustomize.py``.
"""

from __future__ import annotations

import io
import json
import re
import tarfile
from collections.abc import Callable
from typing import Any

from tests.examples.runner import ExampleContext

ECR = "763104351884.dkr.ecr.us-east-1.amazonaws.com"
BUCKET = "sagemaker-us-east-1-123456789012"


def _resources(job: dict[str, Any]) -> tuple[str, int]:
    return job["ResourceConfig"]["InstanceType"], job["ResourceConfig"]["InstanceCount"]


def _answer(context: ExampleContext, body: Any) -> None:
    context.results.queue({"Body": json.dumps(body), "ContentType": "application/json"})


def _archive_names(data: bytes) -> set[str]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as packed:
        return set(packed.getnames())


def _check_code(context: ExampleContext, job: dict[str, Any], script: str) -> None:
    """The job runs ``script`` from a sourcedir.tar.gz that the server holds."""
    hyperparameters = job["HyperParameters"]
    assert hyperparameters["sagemaker_program"] == json.dumps(script)
    archive = json.loads(hyperparameters["sagemaker_submit_directory"])
    assert script in _archive_names(context.s3_bytes(archive))


def _check_channels(context: ExampleContext, job: dict[str, Any]) -> None:
    """``train`` and ``test`` point at JSON Lines the example uploaded."""
    channels = {c["ChannelName"]: c["DataSource"]["S3DataSource"]["S3Uri"] for c in job["InputDataConfig"]}
    assert set(channels) == {"train", "test"}
    for uri in channels.values():
        assert uri.startswith(f"s3://{BUCKET}/samples/datasets/imdb/")
        assert b'"label"' in context.s3_bytes(f"{uri}/data.jsonl")


def _check_deleted(context: ExampleContext) -> None:
    client = context.session.sagemaker_client
    assert client.list_endpoints()["Endpoints"] == []
    assert client.list_endpoint_configs()["EndpointConfigs"] == []
    assert client.list_models()["Models"] == []


def _only(context: ExampleContext, operation: str) -> dict[str, Any]:
    calls = context.captured(operation)
    assert len(calls) == 1, f"{operation} was called {len(calls)} times"
    return calls[0]


def getting_started_tensorflow(context: ExampleContext) -> None:
    _answer(context, [{"label": "POSITIVE", "score": 0.99}])
    output = context.run("02_getting_started_tensorflow.py").stdout
    job = context.only_training_job()
    image = job["AlgorithmSpecification"]["TrainingImage"]
    assert image == f"{ECR}/huggingface-tensorflow-training:2.6-transformers4.17-gpu-py38-cu112-ubuntu20.04"
    hyperparameters = job["HyperParameters"]
    assert hyperparameters["epochs"] == "1" and hyperparameters["train_batch_size"] == "32"
    assert hyperparameters["model_name"] == '"distilbert-base-uncased"'
    assert job["ResourceConfig"]["InstanceType"] == "ml.p3.2xlarge"
    _check_code(context, job, "train_tf.py")
    _check_channels(context, job)
    # Deployed from the trained model on the TensorFlow inference image, then deleted.
    container = _only(context, "CreateModel")["PrimaryContainer"]
    assert container["Image"] == (
        f"{ECR}/huggingface-tensorflow-inference:2.6-transformers4.17-gpu-py38-cu112-ubuntu20.04"
    )
    assert container["ModelDataUrl"] == job["ModelArtifacts"]["S3ModelArtifacts"]
    variant = _only(context, "CreateEndpointConfig")["ProductionVariants"][0]
    assert variant["InstanceType"] == "ml.g4dn.xlarge"
    _check_deleted(context)
    assert 'prediction: [{"label": "POSITIVE", "score": 0.99}]' in output


def distributed_data_parallel(context: ExampleContext) -> None:
    context.run("03_distributed_data_parallel.py", "--transformers-checkout", context.transformers_checkout())
    job = context.only_training_job()
    assert job["AlgorithmSpecification"]["TrainingImage"] == (
        f"{ECR}/huggingface-pytorch-training:1.13-transformers4.26-gpu-py39-cu117-ubuntu20.04"
    )
    assert _resources(job) == ("ml.p3.16xlarge", 2)
    hyperparameters = job["HyperParameters"]
    assert hyperparameters["sagemaker_distributed_dataparallel_enabled"] == "true"
    assert hyperparameters["sagemaker_instance_type"] == '"ml.p3.16xlarge"'
    assert hyperparameters["model_name_or_path"] == '"bert-large-uncased-whole-word-masking"'
    assert hyperparameters["max_steps"] == "100" and hyperparameters["pad_to_max_length"] == "true"
    _check_code(context, job, "run_qa.py")


def model_parallel(context: ExampleContext) -> None:
    context.run("04_model_parallel.py", "--transformers-checkout", context.transformers_checkout())
    job = context.only_training_job()
    assert job["AlgorithmSpecification"]["TrainingImage"] == (
        f"{ECR}/huggingface-pytorch-training:1.7.1-transformers4.6.1-gpu-py36-cu110-ubuntu18.04"
    )
    assert job["ResourceConfig"]["InstanceType"] == "ml.p3dn.24xlarge"
    hyperparameters = job["HyperParameters"]
    assert hyperparameters["sagemaker_mpi_enabled"] == "true"
    assert hyperparameters["sagemaker_mpi_num_of_processes_per_host"] == "8"
    parameters = json.loads(hyperparameters["mp_parameters"])
    assert parameters["partitions"] == 4 and parameters["microbatches"] == 4 and parameters["ddp"] is True
    _check_code(context, job, "run_glue.py")


# Lines Trainer prints, which notebook 06's regular expressions read.
TRAINER_LOG = (
    "{'loss': 0.6931, 'learning_rate': 5e-05, 'epoch': 1.0}\n"
    "{'eval_loss': '0.25', 'eval_accuracy': '0.875', 'epoch': '1'}\n"  # transformers 5 quotes values
)


def sagemaker_metrics(context: ExampleContext) -> None:
    output = context.run("06_sagemaker_metrics.py").stdout
    job = context.only_training_job()
    assert job["AlgorithmSpecification"]["EnableSageMakerMetricsTimeSeries"] is True
    _check_code(context, job, "train_with_trainer.py")
    # moto replaces MetricDefinitions with its own, so check what the example sent.
    sent = _only(context, "CreateTrainingJob")["AlgorithmSpecification"]["MetricDefinitions"]
    regexes = {metric["Name"]: metric["Regex"] for metric in sent}
    assert list(regexes)[:3] == ["loss", "learning_rate", "eval_loss"] and "eval_f1" in regexes
    values = {name: re.search(regex, TRAINER_LOG) for name, regex in regexes.items()}
    assert values["loss"][1] == "0.6931" and values["learning_rate"][1] == "5e-05"
    assert values["eval_loss"][1] == "0.25" and values["eval_accuracy"][1] == "0.875"
    assert "final train:progress = 100.0" in output  # moto's FinalMetricDataList, printed


def tensorflow_distributed(context: ExampleContext) -> None:
    context.run("07_tensorflow_distributed.py")
    job = context.only_training_job()
    assert job["AlgorithmSpecification"]["TrainingImage"] == (
        f"{ECR}/huggingface-tensorflow-training:2.6-transformers4.17-gpu-py38-cu112-ubuntu20.04"
    )
    assert _resources(job) == ("ml.p3.16xlarge", 2)
    assert job["HyperParameters"]["sagemaker_distributed_dataparallel_enabled"] == "true"
    _check_code(context, job, "train_tf.py")
    _check_channels(context, job)


def distributed_summarization(context: ExampleContext) -> None:
    _answer(context, [{"summary_text": "Jeff asks Philipp how to train on SageMaker."}])
    output = context.run(
        "08_distributed_summarization.py", "--transformers-checkout", context.transformers_checkout()
    ).stdout
    job = context.only_training_job()
    assert _resources(job) == ("ml.p3dn.24xlarge", 2)
    hyperparameters = job["HyperParameters"]
    assert hyperparameters["sagemaker_distributed_dataparallel_enabled"] == "true"
    assert hyperparameters["model_name_or_path"] == '"facebook/bart-large-cnn"'
    assert hyperparameters["predict_with_generate"] == "true"
    _check_code(context, job, "run_summarization.py")
    container = _only(context, "CreateModel")["PrimaryContainer"]
    assert container["Image"] == (
        f"{ECR}/huggingface-pytorch-inference:1.13-transformers4.26-gpu-py39-cu117-ubuntu20.04"
    )
    assert container["ModelDataUrl"] == job["ModelArtifacts"]["S3ModelArtifacts"]
    _check_deleted(context)
    assert "Jeff asks Philipp how to train on SageMaker." in output


def autoscaling(context: ExampleContext) -> None:
    _answer(context, [{"label": "negative", "score": 0.98}])
    context.run("13_autoscaling.py", "--requests", "12")
    endpoint_name = _only(context, "CreateEndpoint")["EndpointName"]
    assert endpoint_name.startswith("finbert-tone-")
    resource = f"endpoint/{endpoint_name}/variant/AllTraffic"
    scaling = context.session.autoscaling_client
    (target,) = scaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
    assert (target["ResourceId"], target["MinCapacity"], target["MaxCapacity"]) == (resource, 1, 4)
    (policy,) = scaling.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]
    tracking = policy["TargetTrackingScalingPolicyConfiguration"]
    assert policy["ResourceId"] == resource and policy["PolicyType"] == "TargetTrackingScaling"
    assert tracking["TargetValue"] == 10.0
    metric = tracking["PredefinedMetricSpecification"]["PredefinedMetricType"]
    assert metric == "SageMakerVariantInvocationsPerInstance"
    assert (tracking["ScaleInCooldown"], tracking["ScaleOutCooldown"]) == (300, 60)
    assert _only(context, "CreateEndpointConfig")["ProductionVariants"][0]["InstanceType"] == "ml.c5.large"
    environment = _only(context, "CreateModel")["PrimaryContainer"]["Environment"]
    assert environment["HF_MODEL_ID"] == "yiyanghkust/finbert-tone"
    assert len(context.captured("InvokeEndpoint")) == 13  # one prediction, then the burst
    _check_deleted(context)


HUB_TOKEN = "hf_examples_test_token_0123456789"


def push_to_hub(context: ExampleContext) -> None:
    arguments = ("--hub-model-id", "my-user/distilbert-imdb")
    run = context.run("14_push_to_hub.py", *arguments, env={"HF_TOKEN": HUB_TOKEN})
    job = context.only_training_job()
    hyperparameters = job["HyperParameters"]
    assert hyperparameters["push_to_hub"] == "true"
    assert hyperparameters["hub_model_id"] == '"my-user/distilbert-imdb"'
    assert hyperparameters["hub_strategy"] == '"every_save"'
    # The token travels in the job's environment (moto does not keep it: check what was sent),
    # never as a hyperparameter or in the output.
    assert _only(context, "CreateTrainingJob")["Environment"] == {"HF_TOKEN": HUB_TOKEN}
    assert not any(HUB_TOKEN in value or "token" in key for key, value in hyperparameters.items())
    assert HUB_TOKEN not in run.stdout + run.stderr
    assert "https://huggingface.co/my-user/distilbert-imdb" in run.stdout


def training_compiler(context: ExampleContext) -> None:
    context.run("15_training_compiler.py")
    job = context.only_training_job()
    assert job["AlgorithmSpecification"]["TrainingImage"] == (
        f"{ECR}/huggingface-pytorch-trcomp-training:1.11-transformers4.21-gpu-py38-cu113-ubuntu20.04"
    )
    hyperparameters = job["HyperParameters"]
    assert hyperparameters["sagemaker_training_compiler_enabled"] == "true"
    assert hyperparameters["sagemaker_training_compiler_debug_mode"] == "false"
    assert hyperparameters["train_batch_size"] == "24"
    assert float(hyperparameters["learning_rate"]) == 5e-5 / 8 * 24


def inferentia(context: ExampleContext) -> None:
    _answer(context, [{"label": "POSITIVE", "score": 0.99}])
    output = context.run("18_inferentia.py", "--neuron-model", context.tiny("text-classification")).stdout
    container = _only(context, "CreateModel")["PrimaryContainer"]
    assert container["Image"] == (
        f"{ECR}/huggingface-pytorch-inference-neuron:1.9.1-transformers4.12.3-neuron-py37-sdk1.17.1-ubuntu18.04"
    )
    environment = container["Environment"]
    assert (environment["SAGEMAKER_PROGRAM"], environment["SAGEMAKER_SUBMIT_DIRECTORY"]) == (
        "inference.py",
        "/opt/ml/model/code",
    )
    # The model and its code were packed into one archive, which the server holds.
    assert {"config.json", "code/inference.py"} <= _archive_names(context.s3_bytes(container["ModelDataUrl"]))
    assert _only(context, "CreateEndpointConfig")["ProductionVariants"][0]["InstanceType"] == "ml.inf1.xlarge"
    _check_deleted(context)
    assert 'prediction: [{"label": "POSITIVE", "score": 0.99}]' in output


AWS_CASES: dict[str, Callable[[ExampleContext], None]] = {
    "02_getting_started_tensorflow.py": getting_started_tensorflow,
    "03_distributed_data_parallel.py": distributed_data_parallel,
    "04_model_parallel.py": model_parallel,
    "06_sagemaker_metrics.py": sagemaker_metrics,
    "07_tensorflow_distributed.py": tensorflow_distributed,
    "08_distributed_summarization.py": distributed_summarization,
    "13_autoscaling.py": autoscaling,
    "14_push_to_hub.py": push_to_hub,
    "15_training_compiler.py": training_compiler,
    "18_inferentia.py": inferentia,
}
