"""Training: the estimators, the CreateTrainingJob request they send, and what follows a job.

- ``estimator``       ``HuggingFace``: SDK v2's constructor (every keyword, type checked), its image
- ``generic``         ``Estimator``: SDK v2's generic estimator (attach any job; fit on any image)
- ``base``            what both share: the one request builder, ``fit()``, the latest job
- ``inputs``          ``TrainingInput`` and the job's input channels
- ``code``            the job's code (``sourcedir.tar.gz``) and the versions that choose its image
- ``request``         the request's resources, stopping, spot, checkpoints, metrics, limits
- ``options``         SDK v2's optional job features as their request fields
- ``distribution``    SDK v2's ``distribution`` dict as hyperparameters
- ``compiler``        ``TrainingCompilerConfig``
- ``attach``          ``attach()``: the constructor arguments of an existing job
- ``after_training``  create_model(), deploy(), transformer() of the trained model
- ``logs``            waiting for a job with its log streamed; ``Session.logs_for_job``
- ``analytics``       ``TrainingJobAnalytics``: a job's CloudWatch metrics as a DataFrame

The container's side of the request (hyperparameter encoding, archive names, ``/opt/ml``
paths) is :mod:`sagemaker_hf.container.training`; local jobs run in
:mod:`sagemaker_hf.local.training`.
"""
