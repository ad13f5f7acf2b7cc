# Source: huggingface/notebooks sagemaker/18_inferentia_inference/sagemaker-notebook.ipynb
#         at 5068b1142e8ed1e691c8b1e9f98e4473ebe55790 (code cells, in order)
# Runs against: the moto server (instance types kept)
# Changed:
#   imports   cell 13 `import sagemaker`, cell 17 `from sagemaker.s3 import S3Uploader`, cell 19
#             `from sagemaker.huggingface.model import HuggingFaceModel`
#   model     cell 7 (downloads distilbert-base-uncased-finetuned-sst-2-english and compiles it with
#             torch.neuron, which needs an Inferentia host) -> removed; the runner provides
#             tmp/model.tar.gz, what the dropped cells 9-15 packed
#   load      cell 23 `range(10000)` -> `range(10)` (the CI time budget)
# Dropped magics: cell 3 `!pip config set global.extra-index-url
#                 https://pip.repos.neuron.amazonaws.com`, `!pip install torch-neuron==1.9.1.*
#                 neuron-cc[tensorflow] sagemaker>=2.79.0 transformers==4.12.3 --upgrade`, cell 9
#                 `!mkdir code`, cell 11 `%%writefile code/inference.py`, cell 15 `!cp -r code/
#                 tmp/code/`, `%cd tmp`, `!tar zcvf model.tar.gz *`, `%cd ..`
# The runner provides tmp/model.tar.gz (a tiny model with code/inference.py).

# cell 5
model_id = "distilbert-base-uncased-finetuned-sst-2-english"

# cell 7
# (model preparation removed: the runner provides tmp/model.tar.gz)

# cell 13
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

# cell 17
from sagemaker_hf.s3 import S3Uploader

# create s3 uri
s3_model_path = f"s3://{sess.default_bucket()}/{model_id}"

# upload model.tar.gz
s3_model_uri = S3Uploader.upload(local_path="tmp/model.tar.gz",desired_s3_uri=s3_model_path)
print(f"model artifcats uploaded to {s3_model_uri}")

# cell 19
from sagemaker_hf.model import HuggingFaceModel


# create Hugging Face Model Class
huggingface_model = HuggingFaceModel(
   model_data=s3_model_uri,       # path to your model and script
   role=role,                    # iam role with permissions to create an Endpoint
   transformers_version="4.12",  # transformers version used
   pytorch_version="1.9",        # pytorch version used
   py_version='py37',            # python version used
)

# Let SageMaker know that we've already compiled the model via neuron-cc
huggingface_model._is_compiled_model = True

# deploy the endpoint endpoint
predictor = huggingface_model.deploy(
    initial_instance_count=1,      # number of instances
    instance_type="ml.inf1.xlarge" # AWS Inferentia Instance
)

# cell 21
data = {
  "inputs": "the mesmerizing performances of the leads keep the film grounded and keep the audience riveted .",
}

res = predictor.predict(data=data)
res

# cell 23
# send 10000 requests
for i in range(10):
    resp = predictor.predict(
        data={"inputs": "it 's a charming and often affecting journey ."}
    )

# cell 25
print(f"https://console.aws.amazon.com/cloudwatch/home?region={sess.boto_region_name}#metricsV2:graph=~(metrics~(~(~'AWS*2fSageMaker~'ModelLatency~'EndpointName~'{predictor.endpoint_name}~'VariantName~'AllTraffic))~view~'timeSeries~stacked~false~region~'{sess.boto_region_name}~start~'-PT5M~end~'P0D~stat~'Average~period~30);query=~'*7bAWS*2fSageMaker*2cEndpointName*2cVariantName*7d*20{predictor.endpoint_name}")

# cell 28
predictor.delete_model()
predictor.delete_endpoint()
