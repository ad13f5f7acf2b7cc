"""Batch transform: ``Transformer``, the transform job's request, and waiting for it.

- ``transformer``  ``Transformer``: the CreateTransformJob request, ``transform()``, ``attach()``,
                   stop (``HuggingFaceModel.transformer()`` and the estimators make one)
- ``wait``         waiting for a transform job, with its records per second when reported

Local transform jobs run in :mod:`sagemaker_hf.local.batch`, below the seam.
"""
