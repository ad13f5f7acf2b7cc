# Source: the Hub's generated "Deploy -> Amazon SageMaker" snippet of a text-generation model page
#         served by TGI, in its newer form that sends the Messages API (huggingface.co/<model>,
#         Deploy -> Amazon SageMaker), for HuggingFaceTB/SmolLM2-1.7B-Instruct. The generator is
#         not public; the text is the one the model pages show (TGI 3.2.3, `{"messages": [...]}`).
# Runs against: local mode (endpoint: instance type ml.g5.2xlarge -> local)
# Changed:
#   imports   `import sagemaker`, `from sagemaker.huggingface import HuggingFaceModel, get_huggingface_llm_image_uri`
#   instance  `instance_type="ml.g5.2xlarge"` -> `"local"`
#   output    the last cell's shown value `predictor.predict(...)` -> `print(json.dumps(predictor.predict(...)))`
# The runner seeds the Hub cache with HuggingFaceTB/SmolLM2-1.7B-Instruct (a tiny causal LM with a
# chat template); the local endpoint serves TGI's API because the image is TGI's.

import json
import sagemaker_hf as sagemaker
import boto3
from sagemaker_hf import HuggingFaceModel, get_huggingface_llm_image_uri

try:
	role = sagemaker.get_execution_role()
except ValueError:
	iam = boto3.client('iam')
	role = iam.get_role(RoleName='sagemaker_execution_role')['Role']['Arn']

# Hub Model configuration. https://huggingface.co/models
hub = {
	'HF_MODEL_ID':'HuggingFaceTB/SmolLM2-1.7B-Instruct',
	'SM_NUM_GPUS': json.dumps(1)
}



# create Hugging Face Model Class
huggingface_model = HuggingFaceModel(
	image_uri=get_huggingface_llm_image_uri("huggingface",version="3.2.3"),
	env=hub,
	role=role, 
)

# deploy model to SageMaker Inference
predictor = huggingface_model.deploy(
	initial_instance_count=1,
	instance_type="local",
	container_startup_health_check_timeout=300,
  )
  
# send request
print(json.dumps(predictor.predict({
	"messages": [
		{"role": "user", "content": "What is the capital of France?"}
	]
})))
