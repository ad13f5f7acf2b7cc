# Source: huggingface/hub-docs docs/sagemaker/train.md
#         at 8c89a5de57c0b64c9c8fc7520f95c4a2693c3e60 (the last version before the 2025 rewrite)
#         sections "Installation and setup" (Local environment), the hyperparameters of "Create a
#         Hugging Face Estimator", "Distributed training / Model parallelism"
# Runs against: the moto server (instance types kept)
# Changed:
#   imports   `import sagemaker`, `from sagemaker.huggingface import HuggingFace`
#   placeholder  RoleName='role-name-of-your-iam-role-with-right-permissions' -> 'sagemaker_execution_role'
# Dropped magics: `pip install sagemaker --upgrade`
# The runner provides ./scripts/train.py (a stand-in). The page builds the estimator and stops there.

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

# Model parallelism
# configuration for running training on smdistributed model parallel
mpi_options = {
    "enabled" : True,
    "processes_per_host" : 8
}

smp_options = {
    "enabled":True,
    "parameters": {
        "microbatches": 4,
        "placement_strategy": "spread",
        "pipeline": "interleaved",
        "optimize": "speed",
        "partitions": 4,
        "ddp": True,
    }
}

distribution={
    "smdistributed": {"modelparallel": smp_options},
    "mpi": mpi_options
}

 # create the Estimator
huggingface_estimator = HuggingFace(
        entry_point='train.py',
        source_dir='./scripts',
        instance_type='ml.p3dn.24xlarge',
        instance_count=2,
        role=role,
        transformers_version='4.4.2',
        pytorch_version='1.6.0',
        py_version='py36',
        hyperparameters = hyperparameters,
        distribution = distribution
)
