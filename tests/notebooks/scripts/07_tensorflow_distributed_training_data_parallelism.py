# Source: huggingface/notebooks sagemaker/07_tensorflow_distributed_training_data_parallelism/sagemaker-notebook.ipynb
#         at 5068b1142e8ed1e691c8b1e9f98e4473ebe55790 (code cells, in order)
# Runs against: the moto server (instance types kept)
# Changed:
#   imports   cell 9 `import sagemaker.huggingface`, cell 12 `import sagemaker`, cell 17 `from
#             sagemaker.huggingface import HuggingFace`, cell 31 `from sagemaker.estimator import
#             Estimator`
#   placeholder  `old_training_job_name=''` -> the job trained above
# Dropped magics: cell 5 `!pip install "sagemaker>=2.48.0" --upgrade`, cell 8 `%%capture`, cell 15
#                 `!pygmentize ./scripts/train.py`
# The runner provides ./scripts/train.py (a stand-in: on moto no job runs).

# cell 9
import sagemaker_hf

# cell 12
import sagemaker_hf as sagemaker

sess = sagemaker.Session()
# sagemaker session bucket -> used for uploading data, models and logs
# sagemaker will automatically create this bucket if it not exists
sagemaker_session_bucket=None
if sagemaker_session_bucket is None and sess is not None:
    # set to default bucket if a bucket name is not given
    sagemaker_session_bucket = sess.default_bucket()

role = sagemaker.get_execution_role()
sess = sagemaker.Session(default_bucket=sagemaker_session_bucket)

print(f"sagemaker role arn: {role}")
print(f"sagemaker bucket: {sess.default_bucket()}")
print(f"sagemaker session region: {sess.boto_region_name}")

# cell 17
from sagemaker_hf import HuggingFace

# hyperparameters, which are passed into the training job
hyperparameters={
    'epochs': 1,
    'train_batch_size': 16,
    'model_name':'distilbert-base-uncased',
}

# configuration for running training on smdistributed Data Parallel
distribution = {'smdistributed':{'dataparallel':{ 'enabled': True }}}

# instance configurations
instance_type='ml.p3dn.24xlarge'
instance_count=2
volume_size=200

# cell 18
huggingface_estimator = HuggingFace(
    entry_point='train.py',
    source_dir='./scripts',
    instance_type=instance_type,
    instance_count=instance_count,
    role=role,
    transformers_version='4.6',
    tensorflow_version='2.4',
    py_version='py37',
    distribution=distribution,
    hyperparameters=hyperparameters,
    debugger_hook_config=False, # currently needed
)

# cell 19
huggingface_estimator.fit()

# cell 21
predictor = huggingface_estimator.deploy(1,"ml.g4dn.xlarge")

# cell 23
sentiment_input= {"inputs":"I love using the new Inference DLC."}

predictor.predict(sentiment_input)

# cell 25
predictor.delete_endpoint()

# cell 28
# container image used for training job
print(f"container image used for training job: \n{huggingface_estimator.image_uri}\n")

# s3 uri where the trained model is located
print(f"s3 uri where the trained model is located: \n{huggingface_estimator.model_data}\n")

# latest training job name for this estimator
print(f"latest training job name for this estimator: \n{huggingface_estimator.latest_training_job.name}\n")

# cell 29
# access the logs of the training job
huggingface_estimator.sagemaker_session.logs_for_job(huggingface_estimator.latest_training_job.name)

# cell 31
from sagemaker_hf.estimator import Estimator

# job which is going to be attached to the estimator
old_training_job_name=huggingface_estimator.latest_training_job.name

# cell 32
# attach old training job
huggingface_estimator_loaded = Estimator.attach(old_training_job_name)

# get model output s3 from training job
huggingface_estimator_loaded.model_data
