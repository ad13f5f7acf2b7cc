"""What "local mode" is: the instance types that run on this machine, and the placeholders of its account.

The one home of these facts (standard library only): ``session.py`` reads them to choose
local mode, and every module of ``local/`` reads them to check a request's instance type,
so ``local/`` never imports ``session``.
"""

from __future__ import annotations

# SDK v2 documented "local_gpu" but users also write "local-gpu": both work, and this table
# (instance type -> canonical name) is the one place that knows it.
LOCAL_INSTANCE_TYPES = {"local": "local", "local_gpu": "local_gpu", "local-gpu": "local_gpu"}
LOCAL_GPU = "local_gpu"

# Local mode needs no AWS account: these placeholders fill the fields the API requires.
LOCAL_ACCOUNT_ID = "000000000000"
LOCAL_ROLE_ARN = f"arn:aws:iam::{LOCAL_ACCOUNT_ID}:role/sagemaker-hf-local"
LOCAL_DEFAULT_REGION = "us-east-1"


def is_local_instance_type(instance_type: str | None) -> bool:
    """Whether ``instance_type`` runs on this machine (``local``, ``local_gpu``, ``local-gpu``)."""
    return instance_type in LOCAL_INSTANCE_TYPES


def is_gpu_instance_type(instance_type: str | None) -> bool:
    """Whether ``instance_type`` runs locally on a CUDA GPU (``local_gpu`` or ``local-gpu``)."""
    return LOCAL_INSTANCE_TYPES.get(instance_type or "") == LOCAL_GPU


def role_arn(role: str | None) -> str:
    """The ARN a local create call carries: the role given (a name is made an ARN, never looked
    up), else :data:`LOCAL_ROLE_ARN`."""
    if role is None:
        return LOCAL_ROLE_ARN
    return role if role.startswith("arn:") else f"arn:aws:iam::{LOCAL_ACCOUNT_ID}:role/{role}"
