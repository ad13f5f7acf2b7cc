"""13 · Autoscaling an endpoint: scale on invocations per instance, then watch it work.

Notebook: ``sagemaker/13_deploy_and_autoscaling_transformers`` (``yiyanghkust/finbert-tone``
from the Hub). What it shows, with SDK v2's calls and only the import changed:

1. ``HuggingFaceModel(env=hub, name=...)`` deployed on an ``ml.c5.large``, one prediction;
2. ``predictor.enable_autoscaling(...)``: the notebook's Application Auto Scaling setup in
   one call: the variant is registered as a scalable target (1 to 4 instances) with a
   target-tracking policy on ``SageMakerVariantInvocationsPerInstance`` (10 per instance,
   cooldowns 300 s in, 60 s out);
3. a burst of requests, then the endpoint's instance counts and the policy;
4. clean-up as in the notebook: the model and the endpoint are deleted (SageMaker then
   deregisters the scalable target itself).

How it runs here: against AWS, so it needs an account (or a SageMaker-compatible endpoint)
and a role in ``SAGEMAKER_ROLE`` (or run it inside SageMaker). Autoscaling needs AWS's
Application Auto Scaling, so there is no local variant; the CI runs the script against a
moto server by setting ``AWS_ENDPOINT_URL`` alone, and checks the scalable target and the
policy that reached it. ``--requests`` sets the size of the burst (the notebook sends
requests for four minutes).

Run it::

    SAGEMAKER_ROLE=arn:aws:iam::111122223333:role/SageMakerRole \
        .venv/bin/python examples/13_autoscaling.py --requests 500
"""

from __future__ import annotations

import argparse
import json
import os
import uuid

from sagemaker_hf import HuggingFaceModel, get_execution_role


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20, help="requests in the burst")
    args = parser.parse_args()
    # Inside SageMaker the role is found for you; elsewhere name it in SAGEMAKER_ROLE.
    role = os.environ.get("SAGEMAKER_ROLE") or get_execution_role()

    hub = {"HF_MODEL_ID": "yiyanghkust/finbert-tone", "HF_TASK": "text-classification"}
    endpoint_name = f"{hub['HF_MODEL_ID'].split('/')[1]}-{uuid.uuid4()}"[:63]
    huggingface_model = HuggingFaceModel(
        env=hub,
        role=role,
        name=endpoint_name,
        transformers_version="4.26",
        pytorch_version="1.13",
        py_version="py39",
    )
    predictor = huggingface_model.deploy(initial_instance_count=1, instance_type="ml.c5.large")
    data = {"inputs": "There is a shortage of capital for project SageMaker. We need extra financing"}
    print(f"prediction: {json.dumps(predictor.predict(data))}")

    policy_arn = predictor.enable_autoscaling(
        min_capacity=1,
        max_capacity=4,
        target_invocations_per_instance=10,
        scale_in_cooldown=300,
        scale_out_cooldown=60,
    )
    print(f"scaling policy: {policy_arn}")

    for _ in range(args.requests):
        predictor.predict(data)
    session = predictor.sagemaker_session
    variant = session.sagemaker_client.describe_endpoint(EndpointName=predictor.endpoint_name)[
        "ProductionVariants"
    ][0]
    print(
        f"after {args.requests} requests: {variant.get('CurrentInstanceCount')} instance(s), "
        f"{variant.get('DesiredInstanceCount')} desired"
    )
    policies = session.autoscaling_client.describe_scaling_policies(
        ServiceNamespace="sagemaker", ResourceId=f"endpoint/{predictor.endpoint_name}/variant/AllTraffic"
    )["ScalingPolicies"]
    for policy in policies:
        target = policy["TargetTrackingScalingPolicyConfiguration"]
        print(f"  {policy['PolicyName']}: target {target['TargetValue']} invocations per instance")

    predictor.delete_model()
    predictor.delete_endpoint()


if __name__ == "__main__":
    main()
