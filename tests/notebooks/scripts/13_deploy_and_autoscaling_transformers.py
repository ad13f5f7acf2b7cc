# Source: huggingface/notebooks sagemaker/13_deploy_and_autoscaling_transformers/sagemaker-notebook.ipynb
#         at 5068b1142e8ed1e691c8b1e9f98e4473ebe55790 (code cells, in order)
# Runs against: the moto server (instance types kept)
# Changed:
#   imports   cell 4 `import sagemaker`, cell 5 `from sagemaker.huggingface import HuggingFaceModel`,
#             cell 5 `import sagemaker`
#   load      cell 19 `request_duration_in_seconds = 4*65` -> `2` (the CI time budget)
# Dropped magics: cell 2 `!pip install "sagemaker>=2.66.2" --upgrade`

# cell 4
import sagemaker_hf as sagemaker
import boto3

try:
    role = sagemaker.get_execution_role()
except ValueError:
    iam = boto3.client('iam')
    role = iam.get_role(RoleName='sagemaker_execution_role')['Role']['Arn']

print(f"sagemaker role arn: {role}")

# cell 5
from sagemaker_hf import HuggingFaceModel
from uuid import uuid4
import sagemaker_hf as sagemaker

# Hub Model configuration. https://huggingface.co/models
hub = {
  'HF_MODEL_ID':'yiyanghkust/finbert-tone', # model_id from hf.co/models
  'HF_TASK':'text-classification' # NLP task you want to use for predictions
}

# endpoint name
endpoint_name=f'{hub["HF_MODEL_ID"].split("/")[1]}-{str(uuid4())}' # model and endpoint name

# create Hugging Face Model Class
huggingface_model = HuggingFaceModel(
   env=hub,
   role=role, # iam role with permissions to create an Endpoint
   name=endpoint_name, # model and endpoint name
   transformers_version="4.26", # transformers version used
   pytorch_version="1.13", # pytorch version used
   py_version="py39", # python version of the DLC
)

# cell 6
# deploy model to SageMaker Inference
predictor = huggingface_model.deploy(
   initial_instance_count=1,
   instance_type="ml.c5.large"
)
# get aws region for dashboards
aws_region = predictor.sagemaker_session.boto_region_name

# cell 8
# example request, you always need to define "inputs"
data = {
   "inputs": "There is a shortage of capital for project SageMaker. We need extra financing"
}

# request
predictor.predict(data)

# cell 9
for i in range(500):
    predictor.predict(data)

# cell 11
print(f"https://console.aws.amazon.com/cloudwatch/home?region={aws_region}#metricsV2:graph=~(metrics~(~(~'AWS*2fSageMaker~'ModelLatency~'EndpointName~'finbert-tone-73d26f97-9376-4b3f-9334-a2-2021-10-29-12-18-52-365~'VariantName~'AllTraffic))~view~'timeSeries~stacked~false~start~'-PT15M~end~'P0D~region~'{aws_region}~stat~'SampleCount~period~30);query=~'*7bAWS*2fSageMaker*2cEndpointName*2cVariantName*7d*20{predictor.endpoint_name}")

# cell 15
import boto3

# Let us define a client to play with autoscaling options
asg_client = boto3.client('application-autoscaling') # Common class representing Application Auto Scaling for SageMaker amongst other services

# he resource type is variant and the unique identifier is the resource ID.
# Example: endpoint/my-bert-fine-tuned/variant/AllTraffic .
resource_id=f"endpoint/{predictor.endpoint_name}/variant/AllTraffic"

# scaling configuration
response = asg_client.register_scalable_target(
    ServiceNamespace='sagemaker', #
    ResourceId=resource_id,
    ScalableDimension='sagemaker:variant:DesiredInstanceCount', 
    MinCapacity=1,
    MaxCapacity=4
)

# cell 17
response = asg_client.put_scaling_policy(
    PolicyName=f'Request-ScalingPolicy-{predictor.endpoint_name}',
    ServiceNamespace='sagemaker',
    ResourceId=resource_id,
    ScalableDimension='sagemaker:variant:DesiredInstanceCount',
    PolicyType='TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration={
        'TargetValue': 10.0, # Threshold
        'PredefinedMetricSpecification': {
            'PredefinedMetricType': 'SageMakerVariantInvocationsPerInstance',
        },
        'ScaleInCooldown': 300, # duration until scale in
        'ScaleOutCooldown': 60 # duration between scale out
    }
)

# cell 19
import time

request_duration_in_seconds = 2
end_time = time.time() + request_duration_in_seconds

print(f"test will run {request_duration_in_seconds} seconds")

while time.time() < end_time:
    predictor.predict(data)

# cell 21
print(f"https://console.aws.amazon.com/cloudwatch/home?region={aws_region}#metricsV2:graph=~(metrics~(~(~'AWS*2fSageMaker~'InvocationsPerInstance~'EndpointName~'{predictor.endpoint_name}~'VariantName~'AllTraffic))~view~'timeSeries~stacked~false~region~'{aws_region}~start~'-PT15M~end~'P0D~stat~'SampleCount~period~60);query=~'*7bAWS*2fSageMaker*2cEndpointName*2cVariantName*7d*20{predictor.endpoint_name}")

# cell 23
bt_sm = boto3.client('sagemaker')
response = bt_sm.describe_endpoint(EndpointName=predictor.endpoint_name)
print(f"Endpoint {response['EndpointName']} has \nCurrent Instance Count: {response['ProductionVariants'][0]['CurrentInstanceCount']}\nWith a desired instance count of {response['ProductionVariants'][0]['DesiredInstanceCount']}")

# cell 25
# delete endpoint
predictor.delete_model()
predictor.delete_endpoint()
