# Source: huggingface/notebooks sagemaker/26_document_ai_donut/sagemaker-notebook.ipynb
#         at 5068b1142e8ed1e691c8b1e9f98e4473ebe55790 (code cells, in order)
# Runs against: the moto server (instance types kept)
# Changed:
#   imports   cell 4 `import sagemaker`, cell 24 `from sagemaker.huggingface import HuggingFace`,
#             cell 28 `from sagemaker.huggingface import HuggingFaceModel`, cell 30 `from
#             sagemaker.serializers import DataSerializer`
#   data      cells 8-20 (SROIE receipts cloned with git, turned into a dataset with datasets,
#             processed with the Donut processor from the Hub) -> two tiny processed documents and a
#             stand-in processor (tests/notebooks/support/notebook_data.py); cell 22 saves them to S3
#             as the notebook does
# Dropped magics: cell 2 `!pip install "transformers[sentencepiece]==4.26.0" "datasets[s3]==2.9.0"
#                 sagemaker --upgrade --quiet`, cell 6 `%%bash `, cell 34 `!pip install rouge-score
#                 py7zr evaluate`
# The runner provides scripts/train.py (a stand-in: on moto no job runs) and a stand-in of evaluate
# (rouge scores only).

# cell 4
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

# cell 8 (data loading replaced)
import notebook_data

model_id = "naver-clova-ix/donut-base"
processed_dataset, processor = notebook_data.documents()

# cell 22

# save train_dataset to s3
training_input_path = f's3://{sess.default_bucket()}/processed/donut-sagemaker/train'
processed_dataset["train"].save_to_disk(training_input_path)

# save train_dataset to s3
test_input_path = f's3://{sess.default_bucket()}/processed/donut-sagemaker/test'
processed_dataset["test"].save_to_disk(test_input_path)

print("uploaded data to:")
print(f"training dataset to: {training_input_path}")
print(f"test dataset to: {test_input_path}")

# cell 24
import time
import json
from sagemaker_hf import HuggingFace

# define Training Job Name 
job_name = f'huggingface-donut-{time.strftime("%Y-%m-%d-%H-%M-%S", time.localtime())}'

# stingify special tokens
special_tokens = ",".join(processor.tokenizer.special_tokens_map_extended["additional_special_tokens"])

# hyperparameters, which are passed into the training job
hyperparameters = {
  'model_id': model_id,                                # pre-trained model
  'special_tokens': json.dumps(special_tokens),        # special tokens which will be added to the tokenizer
  'dataset_path': '/opt/ml/input/data/training',       # path where sagemaker will save training dataset
  'epochs': 3,                                         # number of training epochs
  'per_device_train_batch_size': 8,                    # batch size for training
  'gradient_checkpointing': True,                    # batch size for training
  'lr': 4e-5,                                          # learning rate used during training
}

# create the Estimator
huggingface_estimator = HuggingFace(
    entry_point          = 'train.py',        # train script
    source_dir           = 'scripts',         # directory which includes all the files needed for training
    instance_type        = 'ml.g5.2xlarge',   # instances type used for the training job
    instance_count       = 1,                 # the number of instances used for training
    base_job_name        = job_name,          # the name of the training job
    role                 = role,              # Iam role used in training job to access AWS ressources, e.g. S3
    volume_size          = 100,               # the size of the EBS volume in GB
    transformers_version = '4.26',            # the transformers version used in the training job
    pytorch_version      = '1.13',            # the pytorch_version version used in the training job
    py_version           = 'py39',            # the python version used in the training job
    hyperparameters      =  hyperparameters
)

# cell 26
# define a data input dictonary with our uploaded s3 uris
data = {'training': training_input_path}

# starting the train job with our uploaded datasets as input
huggingface_estimator.fit(data, wait=True)

# cell 28
from sagemaker_hf import HuggingFaceModel

# create Hugging Face Model Class
huggingface_model = HuggingFaceModel(
   model_data=huggingface_estimator.model_data,
   # model_data="s3://sagemaker-us-east-1-558105141721/huggingface-donut-2023-05-18-15-15-20-2023-05-18-15-15-20-285/output/model.tar.gz"
   role=role, 
   transformers_version="4.26", 
   pytorch_version="1.13", 
   py_version="py39",
   model_server_workers=1
)

# cell 30
from sagemaker_hf.serializers import DataSerializer

# create a serializer for the data
image_serializer = DataSerializer(content_type='image/x-image') # using x-image to support multiple image formats

# deploy model to SageMaker Inference
predictor = huggingface_model.deploy(
   initial_instance_count=1,
   instance_type= "ml.g5.2xlarge",
   serializer=image_serializer, # serializer for our image files.
)

# cell 32
from PIL import Image
import io
from random import randrange
from transformers.image_transforms import to_pil_image
import numpy as np 
test_sample = processed_dataset["test"][randrange(0,len(processed_dataset["test"]))]

image = to_pil_image(np.array(test_sample["pixel_values"]))


def image_to_byte_array(image: Image) -> bytes:
  format = image.format if image.format else 'JPEG'
  # BytesIO is a file-like buffer stored in memory
  img_byte_arr = io.BytesIO()
  # image.save expects a file-like as a argument
  image.save(img_byte_arr, format=format)
  # Turn the BytesIO object back into a bytes object
  return img_byte_arr.getvalue()


res = predictor.predict(data=image_to_byte_array(image))
target = processor.token2json(test_sample["target_sequence"])

print(f"Reference:\n {target}")
print(f"Prediction:\n {res}")
image.resize((350,600))

# cell 35
import evaluate
from tqdm import tqdm
import os 
os.environ["TOKENIZERS_PARALLELISM"] = "false" # disable parallelism in tokenizers library
# Metric
rogue = evaluate.load("rouge")

predictions, references = [], []
# iterate over dataset
for sample in tqdm(processed_dataset["test"],total=len(processed_dataset["test"])):
  image = to_pil_image(np.array(sample["pixel_values"]))

  prediction = predictor.predict(data=image_to_byte_array(image))
  reference = processor.token2json(sample["target_sequence"])

  predictions.append(json.dumps(prediction))
  references.append(json.dumps(reference))
  
# compute scores
results = rogue.compute(predictions=predictions,references=references)
print(results)
# {'rouge1': 0.8173891303548311, 'rouge2': 0.7266157117328251, 'rougeL': 0.8167726537736875, 'rougeLsum': 0.8144718562842747}

# cell 37

predictor.delete_model()
predictor.delete_endpoint()
