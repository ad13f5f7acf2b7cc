# Source: huggingface/notebooks sagemaker/11_deploy_model_from_hf_hub/deploy_transformer_model_from_hf_hub.ipynb
#         at 5068b1142e8ed1e691c8b1e9f98e4473ebe55790 (code cells, in order)
# Runs against: local mode (endpoint: instance type ml.m5.xlarge -> local)
# Changed:
#   imports   cell 6 `import sagemaker`, cell 7 `from sagemaker.huggingface import HuggingFaceModel`
#   instance  cell 8 `instance_type="ml.m5.xlarge"` -> `"local"`
# Dropped magics: cell 4 `!pip install "sagemaker>=2.48.0" --upgrade`
# The runner seeds the Hub cache with distilbert-base-uncased-distilled-squad (a tiny
# question-answering BERT).

# cell 6
import sagemaker_hf as sagemaker
import boto3

try:
    role = sagemaker.get_execution_role()
except ValueError:
    iam = boto3.client('iam')
    role = iam.get_role(RoleName='sagemaker_execution_role')['Role']['Arn']

print(f"sagemaker role arn: {role}")

# cell 7
from sagemaker_hf import HuggingFaceModel

# Hub Model configuration. https://huggingface.co/models
hub = {
  'HF_MODEL_ID':'distilbert-base-uncased-distilled-squad', # model_id from hf.co/models
  'HF_TASK':'question-answering' # NLP task you want to use for predictions
}

# create Hugging Face Model Class
huggingface_model = HuggingFaceModel(
   env=hub,
   role=role, # iam role with permissions to create an Endpoint
   transformers_version="4.26", # transformers version used
   pytorch_version="1.13", # pytorch version used
   py_version="py39", # python version of the DLC
)

# cell 8
# deploy model to SageMaker Inference
predictor = huggingface_model.deploy(
   initial_instance_count=1,
   instance_type="local"
)

# cell 9
# example request, you always need to define "inputs"
data = {
"inputs": {
    "question": "What is used for inference?",
    "context": "My Name is Philipp and I live in Nuremberg. This model is used with sagemaker for inference."
    }
}

# request
predictor.predict(data)

# cell 10
# delete endpoint
predictor.delete_model()
predictor.delete_endpoint()
