# Source: huggingface/notebooks sagemaker/09_image_classification_vision_transformer/sagemaker-notebook.ipynb
#         at 5068b1142e8ed1e691c8b1e9f98e4473ebe55790 (code cells, in order)
# Runs against: the moto server (instance types kept)
# Changed:
#   imports   cell 9 `import sagemaker`, cell 21 `from sagemaker.huggingface import HuggingFace`
#   data      cells 13, 15, 16, 18 (cifar10 from the Hub, processed and saved with datasets) -> four
#             tiny labelled images (tests/notebooks/support/notebook_data.py); the image processor is
#             loaded as the notebook does
# Dropped magics: cell 6 `!pip install "sagemaker>=2.140.0" "transformers==4.26.1"
#                 "datasets[s3]==2.10.1" --upgrade`
# The runner provides ./scripts/train.py and the Hub cache entry google/vit-base-patch16-224-in21k (a
# tiny ViT).

# cell 9
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

# cell 13
from transformers import AutoProcessor
import notebook_data
import numpy as np
from PIL import Image
from random import randint

# dataset used
dataset_name = 'cifar10'

# s3 key prefix for the data
s3_prefix = 'samples/datasets/cifar10'

# FeatureExtractor used in preprocessing
model_name = 'google/vit-base-patch16-224-in21k'

image_processor = AutoProcessor.from_pretrained(model_name)

# cell 15
train_dataset, test_dataset = notebook_data.images(split=['train[:5000]', 'test[:2000]'])

# cell 16
# the small images are stored as the training script reads them

# cell 18
import botocore

# save train_dataset to s3
training_input_path = f's3://{sess.default_bucket()}/{s3_prefix}/train'
train_dataset.save_to_disk(training_input_path, num_shards=1)

# save test_dataset to s3
test_input_path = f's3://{sess.default_bucket()}/{s3_prefix}/test'
test_dataset.save_to_disk(test_input_path, num_shards=1)

print(f"train dataset is uploaded to {training_input_path}")
print(f"test dataset is uploaded to {test_input_path}")

# cell 21
from sagemaker_hf import HuggingFace

# hyperparameters, which are passed into the training job
hyperparameters={'num_train_epochs': 3, # train epochs
                 'per_device_train_batch_size': 16, # batch size
                 'model_name': model_name, # model which will be trained on
                 'use_auth_token': '' # add you API Token to upload the model
                 }

# cell 22
huggingface_estimator = HuggingFace(entry_point='train.py',
                            source_dir='./scripts',
                            instance_type='ml.p3.2xlarge',
                            instance_count=1,
                            role=role,
                            transformers_version='4.26',
                            pytorch_version='1.13',
                            py_version='py39',
                            hyperparameters = hyperparameters)

# cell 23
# starting the train job with our uploaded datasets as input
huggingface_estimator.fit({'train': training_input_path, 'test': test_input_path})

# cell 25
print(image_processor.to_json_string())
