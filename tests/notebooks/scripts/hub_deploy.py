# Source: the Hub's generated "Deploy -> Amazon SageMaker" snippet of a transformers model page
#         (huggingface.co/<model>, Deploy -> Amazon SageMaker, tab "AWS"). The generator is not
#         public; the text is the one its published copies share (e.g. abzdel/Hugging_Face_AWS_Tutorial
#         host.py, 2024), for distilbert/distilbert-base-uncased-finetuned-sst-2-english.
# Runs against: local mode (endpoint: instance type ml.m5.xlarge -> local)
# Changed:
#   imports   `import sagemaker`, `from sagemaker.huggingface import HuggingFaceModel`
#   instance  `instance_type='ml.m5.xlarge'` -> `'local'`
# The runner seeds the Hub cache with distilbert/distilbert-base-uncased-finetuned-sst-2-english
# (a tiny text classifier).

import sagemaker_hf as sagemaker
import boto3
from sagemaker_hf import HuggingFaceModel

try:
	role = sagemaker.get_execution_role()
except ValueError:
	iam = boto3.client('iam')
	role = iam.get_role(RoleName='sagemaker_execution_role')['Role']['Arn']

# Hub Model configuration. https://huggingface.co/models
hub = {
	'HF_MODEL_ID':'distilbert/distilbert-base-uncased-finetuned-sst-2-english',
	'HF_TASK':'text-classification'
}

# create Hugging Face Model Class
huggingface_model = HuggingFaceModel(
	transformers_version='4.37.0',
	pytorch_version='2.1.0',
	py_version='py310',
	env=hub,
	role=role, 
)

# deploy model to SageMaker Inference
predictor = huggingface_model.deploy(
	initial_instance_count=1, # number of instances
	instance_type='local' # ec2 instance type
)

predictor.predict({
	"inputs": "I like you. I love you",
})
