# Source: huggingface/hub-docs docs/sagemaker/inference.md
#         at edab9cdcf9528a8d5f9bceba1fac54940a15dcca (the last version before the 2025 rewrite)
#         sections "Installation and setup" (Local environment), "Deploy a model from the Hub"
# Runs against: local mode (endpoint: instance type ml.m5.xlarge -> local)
# Changed:
#   imports   `import sagemaker`, `from sagemaker.huggingface.model import HuggingFaceModel`
#   placeholder  RoleName='role-name-of-your-iam-role-with-right-permissions' -> 'sagemaker_execution_role'
#   instance  `instance_type="ml.m5.xlarge"` -> `"local"`
# The runner seeds the Hub cache with distilbert-base-uncased-distilled-squad (a tiny question-answering BERT).

# Installation and setup (Local environment)
import sagemaker_hf as sagemaker
import boto3

iam_client = boto3.client('iam')
role = iam_client.get_role(RoleName='sagemaker_execution_role')['Role']['Arn']
sess = sagemaker.Session()

# Deploy a model from the Hub
from sagemaker_hf.model import HuggingFaceModel

# Hub model configuration <https://huggingface.co/models>
hub = {
  'HF_MODEL_ID':'distilbert-base-uncased-distilled-squad', # model_id from hf.co/models
  'HF_TASK':'question-answering'                           # NLP task you want to use for predictions
}

# create Hugging Face Model Class
huggingface_model = HuggingFaceModel(
   env=hub,                                                # configuration for loading model from Hub
   role=role,                                              # IAM role with permissions to create an endpoint
   transformers_version="4.26",                             # Transformers version used
   pytorch_version="1.13",                                  # PyTorch version used
   py_version='py39',                                      # Python version used
)

# deploy model to SageMaker Inference
predictor = huggingface_model.deploy(
   initial_instance_count=1,
   instance_type="local"
)

# example request: you always need to define "inputs"
data = {
"inputs": {
	"question": "What is used for inference?",
	"context": "My Name is Philipp and I live in Nuremberg. This model is used with sagemaker for inference."
	}
}

# request
predictor.predict(data)

# delete endpoint
predictor.delete_endpoint()
