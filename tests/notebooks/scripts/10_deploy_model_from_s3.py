# Source: huggingface/notebooks sagemaker/10_deploy_model_from_s3/deploy_transformer_model_from_s3.ipynb
#         at 5068b1142e8ed1e691c8b1e9f98e4473ebe55790 (code cells, in order)
# Runs against: local mode (endpoint: instance type ml.m5.xlarge -> local)
# Changed:
#   imports   cell 7 `import sagemaker`, cell 8 `from sagemaker.huggingface import HuggingFaceModel`
#   instance  cell 9 `instance_type="ml.m5.xlarge"` -> `"local"`
# Dropped magics: cell 4 `!pip install "sagemaker>=2.48.0" --upgrade`
# The runner puts a tiny text-classification model.tar.gz at s3://hf-sagemaker-inference/model.tar.gz
# (moto's S3).

# cell 7
import sagemaker_hf as sagemaker
import boto3

try:
    role = sagemaker.get_execution_role()
except ValueError:
    iam = boto3.client('iam')
    role = iam.get_role(RoleName='sagemaker_execution_role')['Role']['Arn']

print(f"sagemaker role arn: {role}")

# cell 8
from sagemaker_hf import HuggingFaceModel

# create Hugging Face Model Class
huggingface_model = HuggingFaceModel(
   model_data="s3://hf-sagemaker-inference/model.tar.gz",  # path to your trained sagemaker model
   role=role, # iam role with permissions to create an Endpoint
   transformers_version="4.26", # transformers version used
   pytorch_version="1.13", # pytorch version used
   py_version="py39", # python version of the DLC
)

# cell 9
# deploy model to SageMaker Inference
predictor = huggingface_model.deploy(
   initial_instance_count=1,
   instance_type="local"
)

# cell 10
# example request, you always need to define "inputs"
data = {
   "inputs": "The new Hugging Face SageMaker DLC makes it super easy to deploy models in production. I love it!"
}

# request
predictor.predict(data)

# cell 11
# delete endpoint
predictor.delete_model()
predictor.delete_endpoint()
