"""The in-container inference server: ``sagemaker-hf serve``.

It never imports the SDK (``sagemaker_hf.session``, ``model``, …) and the SDK never
imports it; local mode starts it as a process.
"""
