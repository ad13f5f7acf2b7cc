# Source: huggingface/notebooks sagemaker/01_getting_started_pytorch/sagemaker-notebook.ipynb
#         at 5068b1142e8ed1e691c8b1e9f98e4473ebe55790 (code cells, in order)
# Runs against: the moto server (instance types kept)
# Changed:
#   imports   cell 7 `import sagemaker.huggingface`, cell 10 `import sagemaker`, cell 20 `from
#             sagemaker.huggingface import HuggingFace`, cell 34 `from sagemaker.estimator import
#             Estimator`
#   data      cells 13-14 (IMDb from the Hub, tokenized with datasets) -> twelve labelled reviews
#             (tests/notebooks/support/notebook_data.py); cell 16 saves them to S3 as the notebook
#             does
#   placeholder  `old_training_job_name=''` -> the job trained above
# Dropped magics: cell 5 `!pip install "sagemaker>=2.140.0" "transformers==4.26.1"
#                 "datasets[s3]==2.10.1" --upgrade`, cell 18 `!pygmentize ./scripts/train.py`
# The runner provides ./scripts/train.py (a stand-in: on moto no job runs).

# cell 7
import sagemaker_hf

# cell 10
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
import notebook_data

# tokenizer used in preprocessing
tokenizer_name = 'distilbert-base-uncased'

# dataset used
dataset_name = 'imdb'

# s3 key prefix for the data
s3_prefix = 'samples/datasets/imdb'

# cell 14
train_dataset, test_dataset = notebook_data.reviews(split=['train', 'test'])

# cell 16
# save train_dataset to s3
training_input_path = f's3://{sess.default_bucket()}/{s3_prefix}/train'
train_dataset.save_to_disk(training_input_path)

# save test_dataset to s3
test_input_path = f's3://{sess.default_bucket()}/{s3_prefix}/test'
test_dataset.save_to_disk(test_input_path)

# cell 20
from sagemaker_hf import HuggingFace

# hyperparameters, which are passed into the training job
hyperparameters={'epochs': 1,
                 'train_batch_size': 32,
                 'model_name':'distilbert-base-uncased'
                 }

# cell 21
huggingface_estimator = HuggingFace(entry_point='train.py',
                            source_dir='./scripts',
                            instance_type='ml.p3.2xlarge',
                            instance_count=1,
                            role=role,
                            transformers_version='4.26',
                            pytorch_version='1.13',
                            py_version='py39',
                            hyperparameters = hyperparameters)

# cell 22
# starting the train job with our uploaded datasets as input
huggingface_estimator.fit({'train': training_input_path, 'test': test_input_path})

# cell 24
predictor = huggingface_estimator.deploy(1, "ml.g4dn.xlarge")

# cell 26
sentiment_input= {"inputs":"I love using the new Inference DLC."}

predictor.predict(sentiment_input)

# cell 28
predictor.delete_model()
predictor.delete_endpoint()

# cell 31
# container image used for training job
print(f"container image used for training job: \n{huggingface_estimator.image_uri}\n")

# s3 uri where the trained model is located
print(f"s3 uri where the trained model is located: \n{huggingface_estimator.model_data}\n")

# latest training job name for this estimator
print(f"latest training job name for this estimator: \n{huggingface_estimator.latest_training_job.name}\n")

# cell 32
# access the logs of the training job
huggingface_estimator.sagemaker_session.logs_for_job(huggingface_estimator.latest_training_job.name)

# cell 34
from sagemaker_hf.estimator import Estimator

# job which is going to be attached to the estimator
old_training_job_name=huggingface_estimator.latest_training_job.name

# cell 35
# attach old training job
huggingface_estimator_loaded = Estimator.attach(old_training_job_name)

# get model output s3 from training job
huggingface_estimator_loaded.model_data
