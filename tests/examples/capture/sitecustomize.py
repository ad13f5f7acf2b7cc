"""Records the AWS API calls of an example process, for tests/examples (never imported by the SDK).

tests/examples puts this folder on ``PYTHONPATH`` and names a file in
``SAGEMAKER_HF_EXAMPLES_CAPTURE``; Python imports ``sitecustomize`` at start-up, and every
boto3 client the process makes then appends ``{"operation", "params"}`` per call to that
file (JSON Lines), through botocore's public ``provide-client-params`` event. The tests
use it where moto does not keep what was sent: resources the example deleted, and the
metric definitions moto replaces with its own.
"""

import os

_CAPTURE_FILE = os.environ.get("SAGEMAKER_HF_EXAMPLES_CAPTURE")

if _CAPTURE_FILE:
    import json

    import boto3.session

    _make_client = boto3.session.Session.client

    def _describe(value):
        return f"<{type(value).__name__}>"  # file objects and bytes bodies are not kept

    def _record(params, model, **_):
        line = json.dumps({"operation": model.name, "params": params}, default=_describe)
        with open(_CAPTURE_FILE, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    def _recording_client(self, *args, **kwargs):
        client = _make_client(self, *args, **kwargs)
        client.meta.events.register("provide-client-params", _record)
        return client

    boto3.session.Session.client = _recording_client
