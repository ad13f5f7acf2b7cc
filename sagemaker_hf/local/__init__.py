"""Local mode without Docker: boto3's SageMaker clients, backed by processes on this machine.

:class:`~sagemaker_hf.local.client.LocalSageMakerClient` and
:class:`~sagemaker_hf.local.runtime.LocalRuntimeClient` have boto3's method names,
request and response shapes and errors (``botocore.exceptions.ClientError`` with AWS
codes); every request is validated against botocore's own API model. An endpoint is a
child process of the toolkit (``python -m sagemaker_hf.toolkit serve``) on a free
loopback port; its state lives in an on-disk registry under the local home directory,
so another Python process (or ``sagemaker-hf local ls``) sees the same endpoints.

``sagemaker_hf.session.LocalSession`` makes these clients; nothing else in the SDK knows
they are local, and nothing here imports the SDK above the seam (``session``, ``hosting``,
``batch``, ``training``, ``cli``). Modules:

- ``mode``            the local instance types and the placeholder account, role and region
- ``settings``        where local mode keeps its state, and its time limits (read from the environment)
- ``botocore_model``  botocore's service models: validation, errors, ARNs, response metadata
- ``constraints``     the service-side checks of every request member (pattern, length, enum)
- ``registry``        on-disk records (models, endpoint configs, endpoints) under a file lock
- ``secret_env``      secrets in an ``Environment``: placeholders on disk, values only in memory
- ``processes``       a child's environment, process identity, stopping a process group, log tails
- ``endpoints``       one endpoint process: model directory, spawn, health
- ``lifecycle``       an endpoint's status, computed from its record and its live process
- ``listing``         every List* call's filters, sort orders and pages
- ``client``          ``LocalSageMakerClient``
- ``runtime``         ``LocalRuntimeClient``
- ``async_inference`` the background worker behind ``invoke_endpoint_async``
- ``batch/``          local transform jobs (records, packing, ordered outputs, the model server)
- ``training/``       local training jobs (the ``/opt/ml`` tree, the runner process, the logs client)
"""
