# Source: huggingface/hub-docs docs/sagemaker/inference.md
#         at edab9cdcf9528a8d5f9bceba1fac54940a15dcca (the last version before the 2025 rewrite)
#         section "Deploy an LLM to SageMaker using TGI"
# Runs against: the moto server (instance types kept)
# Changed:
#   imports   `import sagemaker`, `from sagemaker.huggingface import HuggingFaceModel, get_huggingface_llm_image_uri`
#   placeholder  'HUGGING_FACE_HUB_TOKEN': '<REPLACE WITH YOUR TOKEN>' -> a dummy token (the page asserts one is set)
# Dropped magics: `pip install sagemaker>=2.231.0`

import sagemaker_hf as sagemaker
from sagemaker_hf import HuggingFaceModel, get_huggingface_llm_image_uri
import time

sagemaker_session = sagemaker.Session()
region = sagemaker_session.boto_region_name
role = sagemaker.get_execution_role()

image_uri = get_huggingface_llm_image_uri(
  backend="huggingface",
  region=region
)

model_name = "llama-3-1-8b-instruct" + time.strftime("%Y-%m-%d-%H-%M-%S", time.gmtime())

hub = {
    'HF_MODEL_ID':'meta-llama/Llama-3.1-8B-Instruct',
    'SM_NUM_GPUS':'1',
	'HUGGING_FACE_HUB_TOKEN': 'hf_notebook_placeholder',
}

assert hub['HUGGING_FACE_HUB_TOKEN'] != '<REPLACE WITH YOUR TOKEN>', "You have to provide a token."


model = HuggingFaceModel(
    name=model_name,
    env=hub,
    role=role,
    image_uri=image_uri
)

predictor = model.deploy(
  initial_instance_count=1,
  instance_type="ml.g5.2xlarge",
  endpoint_name=model_name
)

input_data = {
  "inputs": "The diamondback terrapin was the first reptile to",
  "parameters": {
    "do_sample": True,
    "max_new_tokens": 100,
    "temperature": 0.7,
    "watermark": True
  }
}

predictor.predict(input_data)

predictor.delete_model()
predictor.delete_endpoint()
