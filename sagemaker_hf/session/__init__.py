"""The seam between the SDK and the SageMaker API: a session makes every client.

``from sagemaker_hf.session import Session, LocalSession, get_execution_role`` (the
documented path). The SDK's workflows talk only to the clients a session makes, with boto3's
method names and shapes; :class:`LocalSession` replaces exactly the members of
:class:`SessionSeam` so that the same code runs on this machine.

- ``base``           ``Session`` (region, bucket, every client), ``SessionSeam``, ``get_execution_role``
- ``local_session``  ``LocalSession``, and ``session_for_instance_type``: the one decision
- ``account``        the execution role and the default bucket, resolved in the caller's account
"""

from __future__ import annotations

from sagemaker_hf.local.mode import is_local_instance_type
from sagemaker_hf.session.base import Session, SessionSeam, get_execution_role
from sagemaker_hf.session.local_session import LocalSession, session_for_instance_type

__all__ = [
    "LocalSession",
    "Session",
    "SessionSeam",
    "get_execution_role",
    "is_local_instance_type",
    "session_for_instance_type",
]
