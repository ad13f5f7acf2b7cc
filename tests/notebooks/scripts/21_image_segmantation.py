# Source: huggingface/notebooks sagemaker/21_image_segmantation/sagemaker-notebook.ipynb
#         at 5068b1142e8ed1e691c8b1e9f98e4473ebe55790 (code cells, in order)
# Runs against: local mode (endpoint: instance type ml.g4dn.xlarge -> local)
# Changed:
#   imports   cell 5 `import sagemaker`, cell 7 `from sagemaker.huggingface.model import
#             HuggingFaceModel`, cell 7 `from sagemaker.serializers import DataSerializer`
#   instance  cell 9 `instance_type='ml.g4dn.xlarge'` -> `'local'`
# Dropped magics: cell 3 `%pip install sagemaker segmentation-mask-overlay pillow matplotlib
#                 --upgrade`, cell 12 `!wget https://huggingface.co/datasets/hf-internal-testing/fixt
#                 ures_ade20k/raw/main/ADE_val_00000001.jpg`
# The runner provides ADE_val_00000001.jpg (what the dropped `!wget` fetched), seeds the Hub cache
# with nvidia/segformer-b0-finetuned-ade-512-512 (a tiny SegFormer), and stand-ins of matplotlib and
# segmentation_mask_overlay (plots only).

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
    'HF_MODEL_ID':'nvidia/segformer-b0-finetuned-ade-512-512',
    'HF_TASK':'image-segmentation',
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
image_serializer = DataSerializer(content_type='image/x-image') # using x-image to support multiple image formats

# deploy model to SageMaker Inference
predictor = huggingface_model.deploy(
	initial_instance_count=1, # number of instances
	instance_type='local', # ec2 instance type
  serializer=image_serializer, # serializer for our audio data.
)

# cell 14
from PIL import Image
import io
from segmentation_mask_overlay import overlay_masks
import numpy as np
import base64
import matplotlib.pyplot as plt


def stringToRGB(base64_string):
    # convert base64 string to numpy array
    imgdata = base64.b64decode(str(base64_string))
    image = Image.open(io.BytesIO(imgdata))
    return np.array(image)

def get_overlay(original_image_path,result):
    masks = [stringToRGB(r["mask"]).astype('bool') for r in res]
    masks_labels = [r["label"] for r in result]
    cmap = plt.cm.tab20(np.arange(len(masks_labels)))

    image = Image.open(original_image_path)
    overlay_masks(image, masks, labels=masks_labels, colors=cmap, mask_alpha=0.5)

# cell 16
image_path = "ADE_val_00000001.jpg"

res = predictor.predict(data=image_path)
print(res[0].keys())
get_overlay(image_path,res)

# cell 18
image_path = "ADE_val_00000001.jpg"

with open(image_path, "rb") as data_file:
  image_data = data_file.read()
  res = predictor.predict(data=image_data)
  print(res[0].keys())
  get_overlay(image_path,res)

# cell 20
predictor.delete_model()
predictor.delete_endpoint()
