# Source: huggingface/notebooks sagemaker/28_train_llms_with_qlora/sagemaker-notebook.ipynb
#         at 5068b1142e8ed1e691c8b1e9f98e4473ebe55790 (code cells, in order)
# Runs against: the moto server (instance types kept)
# Changed:
#   imports   cell 3 `import sagemaker`, cell 17 `from sagemaker.huggingface import HuggingFace`
#   data      cells 5, 11, 13 (databricks-dolly-15k from the Hub, tokenized and chunked with the
#             Falcon tokenizer) -> two instructions (tests/notebooks/support/notebook_data.py); cell
#             15 saves them to S3 as the notebook does
# Dropped magics: cell 1 `!pip install "transformers==4.30.2" "datasets[s3]==2.13.0" sagemaker
#                 --upgrade --quiet`
# The runner provides scripts/run_clm.py (a stand-in: on moto no job runs).

# cell 3
import sagemaker_hf as sagemaker
import boto3
sess = sagemaker.Session()
# sagemaker session bucket -> used for uploading data, models and logs
# sagemaker will automatically create this bucket if it not exists
sagemaker_session_bucket=None
if sagemaker_session_bucket is None and sess is not None:
    # set to default bucket if a bucket name is not given
    sagemaker_session_bucket = sess.default_bucket()

try:
    role = sagemaker.get_execution_role()
except ValueError:
    iam = boto3.client('iam')
    role = iam.get_role(RoleName='sagemaker_execution_role')['Role']['Arn']

sess = sagemaker.Session(default_bucket=sagemaker_session_bucket)

print(f"sagemaker role arn: {role}")
print(f"sagemaker bucket: {sess.default_bucket()}")
print(f"sagemaker session region: {sess.boto_region_name}")

# cell 5 (data loading replaced)
import notebook_data
from random import randrange

dataset = notebook_data.instructions(split="train")

print(f"dataset size: {len(dataset)}")
print(dataset[randrange(len(dataset))])

# cell 7
def format_dolly(sample):
    instruction = f"### Instruction\n{sample['instruction']}"
    context = f"### Context\n{sample['context']}" if len(sample["context"]) > 0 else None
    response = f"### Answer\n{sample['response']}"
    # join all the parts together
    prompt = "\n\n".join([i for i in [instruction, context, response] if i is not None])
    return prompt

# cell 9
from random import randrange

print(format_dolly(dataset[randrange(len(dataset))]))

# cell 11 (data loading replaced)
model_id = "tiiuae/falcon-40b" # sharded weights

# cell 13 (data loading replaced)
lm_dataset = dataset

# cell 15
# save train_dataset to s3
training_input_path = f's3://{sess.default_bucket()}/processed/dolly/train'
lm_dataset.save_to_disk(training_input_path)

print("uploaded data to:")
print(f"training dataset to: {training_input_path}")

# cell 17
import time
# define Training Job Name 
job_name = f'huggingface-qlora-{time.strftime("%Y-%m-%d-%H-%M-%S", time.localtime())}'

from sagemaker_hf import HuggingFace

# hyperparameters, which are passed into the training job
hyperparameters ={
  'model_id': model_id,                                # pre-trained model
  'dataset_path': '/opt/ml/input/data/training', # path where sagemaker will save training dataset
  'epochs': 3,                                         # number of training epochs
  'per_device_train_batch_size': 4,                    # batch size for training
  'lr': 2e-4,                                          # learning rate used during training
}

# create the Estimator
huggingface_estimator = HuggingFace(
    entry_point          = 'run_clm.py',      # train script
    source_dir           = 'scripts',         # directory which includes all the files needed for training
    instance_type        = 'ml.g5.12xlarge', # instances type used for the training job
    instance_count       = 1,                 # the number of instances used for training
    base_job_name        = job_name,          # the name of the training job
    role                 = role,              # Iam role used in training job to access AWS ressources, e.g. S3
    volume_size          = 300,               # the size of the EBS volume in GB
    transformers_version = '4.28',            # the transformers version used in the training job
    pytorch_version      = '2.0',            # the pytorch_version version used in the training job
    py_version           = 'py310',            # the python version used in the training job
    hyperparameters      =  hyperparameters,
    environment          = { "HUGGINGFACE_HUB_CACHE": "/tmp/.cache" }, # set env variable to cache models in /tmp
)

# cell 19
# define a data input dictonary with our uploaded s3 uris
data = {'training': training_input_path}

# starting the train job with our uploaded datasets as input
huggingface_estimator.fit(data, wait=True)
