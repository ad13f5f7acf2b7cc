# Source: huggingface/hub-docs docs/sagemaker/train.md
#         at 8c89a5de57c0b64c9c8fc7520f95c4a2693c3e60 (the last version before the 2025 rewrite)
#         sections "Installation and setup" (Local environment), "Create a Hugging Face Estimator",
#         "Execute training", "Access trained model"
# Runs against: the moto server (instance types kept)
# Changed:
#   imports   `import sagemaker`, `from sagemaker.huggingface import HuggingFace`,
#             `from sagemaker.s3 import S3Downloader`
#   placeholder  RoleName='role-name-of-your-iam-role-with-right-permissions' -> 'sagemaker_execution_role'
# Dropped magics: `pip install sagemaker --upgrade`
# The runner provides ./scripts/train.py (a stand-in: on moto no job runs) and the page's training data
# in s3://sagemaker-us-east-1-558105141721/samples/datasets/imdb/ (moto's S3).

# Local environment
import sagemaker_hf as sagemaker
import boto3

iam_client = boto3.client('iam')
role = iam_client.get_role(RoleName='sagemaker_execution_role')['Role']['Arn']
sess = sagemaker.Session()

# Create a Hugging Face Estimator
from sagemaker_hf import HuggingFace


# hyperparameters which are passed to the training job
hyperparameters={'epochs': 1,
                 'per_device_train_batch_size': 32,
                 'model_name_or_path': 'distilbert-base-uncased'
                 }

# create the Estimator
huggingface_estimator = HuggingFace(
        entry_point='train.py',
        source_dir='./scripts',
        instance_type='ml.p3.2xlarge',
        instance_count=1,
        role=role,
        transformers_version='4.4',
        pytorch_version='1.6',
        py_version='py36',
        hyperparameters = hyperparameters
)

# Execute training
huggingface_estimator.fit(
  {'train': 's3://sagemaker-us-east-1-558105141721/samples/datasets/imdb/train',
   'test': 's3://sagemaker-us-east-1-558105141721/samples/datasets/imdb/test'}
)

# Access trained model
from sagemaker_hf.s3 import S3Downloader

S3Downloader.download(
    s3_uri=huggingface_estimator.model_data, # S3 URI where the trained model is located
    local_path='.',                          # local path where *.targ.gz is saved
    sagemaker_session=sess                   # SageMaker session used for training the model
)
