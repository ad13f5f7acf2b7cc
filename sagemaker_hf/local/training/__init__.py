"""Local training jobs: CreateTrainingJob run on this machine, as the training container runs one.

- ``jobs``       the job's record and the client's Create/Describe/Stop/List calls
- ``container``  the job's ``/opt/ml`` tree and the script's environment and arguments
                 (the container's side of :mod:`sagemaker_hf.container.training`)
- ``runner``     the job's process (``python -m sagemaker_hf.local.training.runner``): the script,
                 then the model and output archives
- ``logs``       ``LocalLogsClient``: CloudWatch Logs' calls over the jobs' log files
"""
