"""The SageMaker container contract: the leaves both sides of it import.

The SDK (which writes requests), local mode (which plays SageMaker and the container on this
machine) and the inference toolkit (which runs inside the container) must agree on these
rules, so each has one home here. Every module is a leaf: standard library and
:mod:`sagemaker_hf.errors` only, so the toolkit may import it as it imports ``errors`` and
``safetar``.

- ``training``      the training container contract: the ``sagemaker_*`` hyperparameters and
                    their JSON encoding, the archive names, the ``/opt/ml`` paths
- ``records``       when a line of a record file is blank (batch jobs and the server agree)
- ``requirements``  ``requirements.txt`` of model and training code, checked before pip runs
- ``redaction``     secrets masked out of every text written (logs, errors, records)
"""
