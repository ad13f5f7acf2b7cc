# Source: huggingface/notebooks sagemaker/20_automatic_speech_recognition_inference/sagemaker-notebook.ipynb
#         at 5068b1142e8ed1e691c8b1e9f98e4473ebe55790 (code cells, in order)
# Runs against: the moto server (instance types kept)
# Changed:
#   imports   cell 5 `import sagemaker`, cell 7 `from sagemaker.huggingface.model import
#             HuggingFaceModel`, cell 7 `from sagemaker.serializers import DataSerializer`
# Dropped magics: cell 3 `%pip install sagemaker --upgrade`, cell 12 `!wget
#                 https://cdn-media.huggingface.co/speech_samples/sample1.flac`
# The runner provides sample1.flac (what the dropped `!wget` fetched).

# cell 5
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

# cell 7
from sagemaker_hf.model import HuggingFaceModel
from sagemaker_hf.serializers import DataSerializer

# Hub Model configuration. <https://huggingface.co/models>
hub = {
    'HF_MODEL_ID':'facebook/wav2vec2-base-960h',
    'HF_TASK':'automatic-speech-recognition',
}

# create Hugging Face Model Class
huggingface_model = HuggingFaceModel(
   env=hub,                      # configuration for loading model from Hub
   role=role,                    # iam role with permissions to create an Endpoint
   transformers_version="4.26",  # transformers version used
   pytorch_version="1.13",        # pytorch version used
   py_version='py39',            # python version used
)

# cell 9
# create a serializer for the data
audio_serializer = DataSerializer(content_type='audio/x-audio') # using x-audio to support multiple audio formats

# deploy model to SageMaker Inference
predictor = huggingface_model.deploy(
	initial_instance_count=1, # number of instances
	instance_type='ml.g4dn.xlarge', # ec2 instance type
  serializer=audio_serializer, # serializer for our audio data.
)

# cell 14
audio_path = "sample1.flac"

res = predictor.predict(data=audio_path)
print(res)

# cell 16
audio_path = "sample1.flac"

with open(audio_path, "rb") as data_file:
  audio_data = data_file.read()
  res = predictor.predict(data=audio_data)
  print(res)

# cell 18
predictor.delete_model()
predictor.delete_endpoint()
