# Source: huggingface/hub-docs docs/sagemaker/inference.md
#         at edab9cdcf9528a8d5f9bceba1fac54940a15dcca (the last version before the 2025 rewrite)
#         sections "Installation and setup" (Local environment), "Run batch transform" (the Hub model)
# Runs against: local mode (batch transform: instance type ml.p3.2xlarge -> local)
# Changed:
#   imports   `import sagemaker`, `from sagemaker.huggingface.model import HuggingFaceModel`
#   placeholder  RoleName='role-name-of-your-iam-role-with-right-permissions' -> 'sagemaker_execution_role'
#   instance  `instance_type='ml.p3.2xlarge'` -> `'local'`
# The runner puts the page's input.jsonl at s3://sagemaker-s3-demo-test/samples/input.jsonl (moto's S3)
# and seeds the Hub cache with distilbert/distilbert-base-uncased-finetuned-sst-2-english (a tiny classifier).

# Installation and setup (Local environment)
import sagemaker_hf as sagemaker
import boto3

iam_client = boto3.client('iam')
role = iam_client.get_role(RoleName='sagemaker_execution_role')['Role']['Arn']
sess = sagemaker.Session()

# Run batch transform with a model from the Hub
from sagemaker_hf.model import HuggingFaceModel

# Hub model configuration <https://huggingface.co/models>
hub = {
	'HF_MODEL_ID':'distilbert/distilbert-base-uncased-finetuned-sst-2-english',
	'HF_TASK':'text-classification'
}

# create Hugging Face Model Class
huggingface_model = HuggingFaceModel(
   env=hub,                                                # configuration for loading model from Hub
   role=role,                                              # IAM role with permissions to create an endpoint
   transformers_version="4.26",                             # Transformers version used
   pytorch_version="1.13",                                  # PyTorch version used
   py_version='py39',                                      # Python version used
)

# create transformer to run a batch job
batch_job = huggingface_model.transformer(
    instance_count=1,
    instance_type='local',
    strategy='SingleRecord'
)

# starts batch transform job and uses S3 data as input
batch_job.transform(
    data='s3://sagemaker-s3-demo-test/samples/input.jsonl',
    content_type='application/json',    
    split_type='Line'
)
