"""Local mode without Docker: boto3's SageMaker clients, backed by processes on this machine.

:class:`~sagemaker_hf.local.client.LocalSageMakerClient` and
:class:`~sagemaker_hf.local.runtime.LocalRuntimeClient` have boto3's method names,
request and response shapes and errors (``botocore.exceptions.ClientError`` with AWS
codes); every request is validated against botocore's own API model. An endpoint is a
child process of the toolkit (``python -m sagemaker_hf.toolkit serve``) on a free
loopback port; its state lives in an on-disk registry under the local home directory,
so another Python process (or ``sagemaker-hf local ls``) sees the same endpoints.

``sagemaker_hf.session.LocalSession`` makes these clients; nothing else in the SDK knows
they are local. Modules:

- ``settings``        where local mode keeps its state, and its time limits
- ``api``             botocore's service models: validation, errors, ARNs, response metadata
- ``constraints``     the service-side checks of every request member (pattern, length, enum)
- ``registry``        on-disk records (models, endpoint configs, endpoints) under a file lock
- ``processes``       process identity, stopping a process group, log tails, free ports
- ``endpoints``       one endpoint process: model directory, spawn, health
- ``lifecycle``       an endpoint's status, computed from its record and its live process
- ``listing``         every List* call's filters, sort orders and pages
- ``client``          ``LocalSageMakerClient``
- ``runtime``         ``LocalRuntimeClient``
- ``async_inference`` the background worker behind ``invoke_endpoint_async``

Transform and training jobs plug in as their own modules (``transform_jobs.py``,
``training_jobs.py``) with thin methods on the client.
"""
