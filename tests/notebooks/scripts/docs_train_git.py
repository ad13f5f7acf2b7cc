# Source: huggingface/hub-docs docs/sagemaker/train.md
#         at 8c89a5de57c0b64c9c8fc7520f95c4a2693c3e60 (the last version before the 2025 rewrite)
#         sections "Installation and setup" (Local environment), the hyperparameters of "Create a
#         Hugging Face Estimator", "Git repository"
# Runs against: the moto server (instance types kept)
# Changed:
#   imports   `import sagemaker`, `from sagemaker.huggingface import HuggingFace`
#   placeholder  RoleName='role-name-of-your-iam-role-with-right-permissions' -> 'sagemaker_execution_role'
# Dropped magics: `pip install sagemaker --upgrade`
# The page builds the estimator and stops there (SDK v2 clones the repository in fit()).

# Installation and setup (Local environment)
import sagemaker_hf as sagemaker
import boto3

iam_client = boto3.client('iam')
role = iam_client.get_role(RoleName='sagemaker_execution_role')['Role']['Arn']
sess = sagemaker.Session()

# Create a Hugging Face Estimator (the hyperparameters the section defines)
from sagemaker_hf import HuggingFace


# hyperparameters which are passed to the training job
hyperparameters={'epochs': 1,
                 'per_device_train_batch_size': 32,
                 'model_name_or_path': 'distilbert-base-uncased'
                 }

# Git repository
# configure git settings
git_config = {'repo': 'https://github.com/huggingface/transformers.git','branch': 'v4.4.2'} # v4.4.2 refers to the transformers_version you use in the estimator

 # create the Estimator
huggingface_estimator = HuggingFace(
        entry_point='run_glue.py',
        source_dir='./examples/pytorch/text-classification',
        git_config=git_config,
        instance_type='ml.p3.2xlarge',
        instance_count=1,
        role=role,
        transformers_version='4.4',
        pytorch_version='1.6',
        py_version='py36',
        hyperparameters=hyperparameters
)
