# Source: huggingface/notebooks sagemaker/02_getting_started_tensorflow/sagemaker-notebook.ipynb
#         at 5068b1142e8ed1e691c8b1e9f98e4473ebe55790 (code cells, in order)
# Runs against: the moto server (instance types kept)
# Changed:
#   imports   cell 6 `import sagemaker.huggingface`, cell 9 `import sagemaker`, cell 14 `from
#             sagemaker.huggingface import HuggingFace`, cell 28 `from sagemaker.estimator import
#             Estimator`
#   placeholder  `old_training_job_name=''` -> the job trained above
# Dropped magics: cell 5 `!pip install "sagemaker>=2.66.0" --upgrade`, cell 12 `!pygmentize
#                 ./scripts/train.py`
# The runner provides ./scripts/train.py (a stand-in: on moto no job runs).

# cell 6
import sagemaker_hf

# cell 9
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

# cell 14
from sagemaker_hf import HuggingFace

# hyperparameters, which are passed into the training job
hyperparameters={'epochs': 1,
                 'train_batch_size': 16,
                 'eval_batch_size' : 32,
                 'model_id':'distilbert-base-uncased'
                }

# cell 15
huggingface_estimator = HuggingFace(entry_point='train.py',
                            source_dir='./scripts',
                            instance_type='ml.p3.2xlarge',
                            instance_count=1,
                            role=role,
                            transformers_version='4.12',
                            tensorflow_version='2.5',
                            py_version='py37',                                   
                            hyperparameters = hyperparameters)

# cell 16
huggingface_estimator.fit()

# cell 18
predictor = huggingface_estimator.deploy(1,"ml.g4dn.xlarge")

# cell 20
sentiment_input= {"inputs":"I love using the new Inference DLC."}

predictor.predict(sentiment_input)

# cell 22
predictor.delete_endpoint()

# cell 25
# container image used for training job
print(f"container image used for training job: \n{huggingface_estimator.image_uri}\n")

# s3 uri where the trained model is located
print(f"s3 uri where the trained model is located: \n{huggingface_estimator.model_data}\n")

# latest training job name for this estimator
print(f"latest training job name for this estimator: \n{huggingface_estimator.latest_training_job.name}\n")

# cell 26
# access the logs of the training job
huggingface_estimator.sagemaker_session.logs_for_job(huggingface_estimator.latest_training_job.name)

# cell 28
from sagemaker_hf.estimator import Estimator

# job which is going to be attached to the estimator
old_training_job_name=huggingface_estimator.latest_training_job.name

# cell 29
# attach old training job
huggingface_estimator_loaded = Estimator.attach(old_training_job_name)

# get model output s3 from training job
huggingface_estimator_loaded.model_data
