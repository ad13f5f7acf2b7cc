# Source: huggingface/hub-docs docs/sagemaker/inference.md
#         at edab9cdcf9528a8d5f9bceba1fac54940a15dcca (the last version before the 2025 rewrite)
#         sections "Installation and setup" (Local environment), "Deploy with model_data"
# Runs against: local mode (endpoint: instance type ml.m5.xlarge -> local)
# Changed:
#   imports   `import sagemaker`, `from sagemaker.huggingface.model import HuggingFaceModel`
#   placeholder  RoleName='role-name-of-your-iam-role-with-right-permissions' -> 'sagemaker_execution_role'
#   instance  `instance_type="ml.m5.xlarge"` -> `"local"`
# The runner puts a tiny text-classification model.tar.gz at s3://models/my-bert-model/model.tar.gz
# (moto's S3).

# Installation and setup (Local environment)
import sagemaker_hf as sagemaker
import boto3

iam_client = boto3.client('iam')
role = iam_client.get_role(RoleName='sagemaker_execution_role')['Role']['Arn']
sess = sagemaker.Session()

# Deploy with model_data
from sagemaker_hf.model import HuggingFaceModel

# create Hugging Face Model Class
huggingface_model = HuggingFaceModel(
   model_data="s3://models/my-bert-model/model.tar.gz",  # path to your trained SageMaker model
   role=role,                                            # IAM role with permissions to create an endpoint
   transformers_version="4.26",                           # Transformers version used
   pytorch_version="1.13",                                # PyTorch version used
   py_version='py39',                                    # Python version used
)

# deploy model to SageMaker Inference
predictor = huggingface_model.deploy(
   initial_instance_count=1,
   instance_type="local"
)

# example request: you always need to define "inputs"
data = {
   "inputs": "Camera - You are awarded a SiPix Digital Camera! call 09061221066 fromm landline. Delivery within 28 days."
}

# request
predictor.predict(data)

# delete endpoint
predictor.delete_endpoint()
