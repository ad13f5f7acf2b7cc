"""The documented deploy snippets, run against moto with only the import line changed.

Set-up differs only where the docs themselves say so: a Session and the role come from
``sagemaker_hf`` (or from IAM, "locally"), and the endpoint is the moto server, chosen by
``AWS_ENDPOINT_URL`` alone.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile

import boto3

from tests.sdk.conftest import write_model_dir

QA_ANSWER = {"score": 0.98, "start": 68, "end": 77, "answer": "sagemaker"}


def test_deploy_with_model_data(moto_endpoint, moto_role_arn, moto_results, tmp_path):
    # What the user has already done: `tar zcvf model.tar.gz *` and `aws s3 cp`.
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for path in write_model_dir(tmp_path / "my-bert-model").iterdir():
            tar.add(path, arcname=path.name)
    boto3.client("s3").create_bucket(Bucket="models")
    boto3.client("s3").upload_file(str(archive), "models", "my-bert-model/model.tar.gz")
    moto_results.queue(
        {"Body": json.dumps([{"label": "spam", "score": 0.97}]), "ContentType": "application/json"}
    )

    # ---- the documented snippet; only the import changed -----------------------------
    import sagemaker_hf as sagemaker
    from sagemaker_hf import HuggingFaceModel

    sess = sagemaker.Session()
    iam_client = boto3.client("iam")
    role = iam_client.get_role(RoleName="SageMakerExecutionRole")["Role"]["Arn"]
    data = {
        "inputs": "Camera - You are awarded a SiPix Digital Camera! call 09061221066 fromm landline. "
        "Delivery within 28 days."
    }

    huggingface_model = HuggingFaceModel(
        model_data="s3://models/my-bert-model/model.tar.gz",
        role=role,
        transformers_version="4.26",
        pytorch_version="1.13",
        py_version="py39",
    )
    predictor = huggingface_model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")
    result = predictor.predict(data)
    predictor.delete_endpoint()
    # ------------------------------------------------------------------------------------

    assert sess.boto_region_name == "us-east-1"
    assert result == [{"label": "spam", "score": 0.97}]
    client = boto3.client("sagemaker")
    [model] = client.list_models()["Models"]
    described = client.describe_model(ModelName=model["ModelName"])
    assert described["PrimaryContainer"]["ModelDataUrl"] == "s3://models/my-bert-model/model.tar.gz"
    assert client.list_endpoints()["Endpoints"] == []
    assert client.list_endpoint_configs()["EndpointConfigs"] == []


def test_deploy_from_the_hub_inside_a_notebook(
    monkeypatch, moto_endpoint, moto_role_arn, moto_results, tmp_path
):
    # Inside a SageMaker notebook instance, get_execution_role() finds the notebook's role.
    from sagemaker_hf.session import Session

    boto3.client("sagemaker").create_notebook_instance(
        NotebookInstanceName="hf-notebook", InstanceType="ml.t2.medium", RoleArn=moto_role_arn
    )
    metadata = tmp_path / "resource-metadata.json"
    metadata.write_text(json.dumps({"ResourceName": "hf-notebook"}))
    monkeypatch.setattr(Session, "notebook_metadata_path", metadata)
    moto_results.queue({"Body": json.dumps(QA_ANSWER), "ContentType": "application/json"})

    # ---- the documented snippet; only the import changed -----------------------------
    import sagemaker_hf as sagemaker
    from sagemaker_hf import HuggingFaceModel

    sess = sagemaker.Session()
    role = sagemaker.get_execution_role()

    hub = {"HF_MODEL_ID": "distilbert-base-uncased-distilled-squad", "HF_TASK": "question-answering"}
    huggingface_model = HuggingFaceModel(
        env=hub, role=role, transformers_version="4.26", pytorch_version="1.13", py_version="py39"
    )
    predictor = huggingface_model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")
    answer = predictor.predict(
        {
            "inputs": {
                "question": "What is used for inference?",
                "context": "My Name is Philipp and I live in Nuremberg. "
                "This model is used with sagemaker for inference.",
            }
        }
    )
    predictor.delete_endpoint()
    # ------------------------------------------------------------------------------------

    assert sess.default_bucket() == "sagemaker-us-east-1-123456789012"
    assert role == moto_role_arn
    assert answer == QA_ANSWER
    client = boto3.client("sagemaker")
    [model] = client.list_models()["Models"]
    described = client.describe_model(ModelName=model["ModelName"])
    assert described["PrimaryContainer"]["Environment"]["HF_MODEL_ID"] == hub["HF_MODEL_ID"]
    assert described["ExecutionRoleArn"] == moto_role_arn
    assert client.list_endpoints()["Endpoints"] == []


def test_import_loads_no_heavy_modules():
    code = (
        "import sys, sagemaker_hf\n"
        "sagemaker_hf.HuggingFaceModel, sagemaker_hf.HuggingFacePredictor, sagemaker_hf.AsyncPredictor\n"
        "sagemaker_hf.ServerlessInferenceConfig, sagemaker_hf.Session, sagemaker_hf.get_execution_role\n"
        "import sagemaker_hf.hosting.autoscaling, sagemaker_hf.artifacts, sagemaker_hf.waiting\n"
        "heavy = ('torch', 'transformers', 'boto3', 'botocore', 'numpy')\n"
        "print(','.join(name for name in heavy if name in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
