# Source: huggingface/hub-docs docs/sagemaker/getting-started.md
#         at 810aeb31d2e4537f57bbe0a0739a5f4d1a52067e (the page's python blocks, in order; the last
#         version before the 2025 rewrite, which dropped the page)
# Runs against: the moto server (instance types kept)
# Changed:
#   imports   block 3 `import sagemaker`, block 6 `from sagemaker.huggingface import HuggingFace`
#   data      block 4 (IMDb from the Hub, tokenized with datasets) -> twelve labelled reviews
#             (tests/notebooks/support/notebook_data.py); block 5 saves them to S3 as the page does
# Dropped magics: block 1 `pip install "sagemaker>=2.140.0" "transformers==4.26.1" "datasets[s3]==2.10.1"
#                 --upgrade`, block 2 (`%%capture`, `!conda install -c conda-forge ipywidgets -y`, kernel restart)
# The runner provides ./scripts/train.py (a stand-in: on moto no job runs).
# As published, block 8 does not compile (`deploy(initial_instance_count=1,"ml.g4dn.xlarge")`: a
# positional argument after a keyword one) and block 5 uses `s3_prefix`, which the page never defines.

# block 3
import sagemaker_hf as sagemaker

sess = sagemaker.Session()
sagemaker_session_bucket = None
if sagemaker_session_bucket is None and sess is not None:
    sagemaker_session_bucket = sess.default_bucket()

role = sagemaker.get_execution_role()
sess = sagemaker.Session(default_bucket=sagemaker_session_bucket)

# block 4 (data loading replaced)
import notebook_data

train_dataset, test_dataset = notebook_data.reviews(split=["train", "test"])

# block 5
# save train_dataset to s3
training_input_path = f's3://{sess.default_bucket()}/{s3_prefix}/train'
train_dataset.save_to_disk(training_input_path)

# save test_dataset to s3
test_input_path = f's3://{sess.default_bucket()}/{s3_prefix}/test'
test_dataset.save_to_disk(test_input_path)

# block 6
from sagemaker_hf import HuggingFace

hyperparameters={
    "epochs": 1,                                       # number of training epochs
    "train_batch_size": 32,                            # training batch size
    "model_name":"distilbert/distilbert-base-uncased"  # name of pretrained model
}

huggingface_estimator = HuggingFace(
    entry_point="train.py",                 # fine-tuning script to use in training job
    source_dir="./scripts",                 # directory where fine-tuning script is stored
    instance_type="ml.p3.2xlarge",          # instance type
    instance_count=1,                       # number of instances
    role=role,                              # IAM role used in training job to acccess AWS resources (S3)
    transformers_version="4.26",             # Transformers version
    pytorch_version="1.13",                  # PyTorch version
    py_version="py39",                      # Python version
    hyperparameters=hyperparameters         # hyperparameters to use in training job
)

# block 7
huggingface_estimator.fit({"train": training_input_path, "test": test_input_path})

# block 8
predictor = huggingface_estimator.deploy(initial_instance_count=1,"ml.g4dn.xlarge")

# block 9
sentiment_input = {"inputs": "It feels like a curtain closing...there was an elegance in the way they moved toward conclusion. No fan is going to watch and feel short-changed."}

predictor.predict(sentiment_input)

# block 10
predictor.delete_endpoint()
