"""The training container contract: what a training job request and the container agree on.

The estimator writes it into CreateTrainingJob (``sagemaker_hf.training``); local training
plays the container's side of it (``sagemaker_hf.local.training``). One home, so the two
never drift:

- hyperparameters travel as JSON text (:func:`encode_hyperparameters`, and
  :func:`decode_hyperparameters` back); script mode adds its own five
  (:data:`SCRIPT_MODE_HYPERPARAMETERS`), and every ``sagemaker_*`` one is the framework's,
  never the script's;
- the code is ``sourcedir.tar.gz``; a network-isolated job gets it as the ``code`` channel;
- the results are ``model.tar.gz`` (``/opt/ml/model``) and ``output.tar.gz``
  (``/opt/ml/output/data``), below ``<output path>/<job>/output/``;
- the container's paths are under ``/opt/ml``.
"""

from __future__ import annotations

import json
from typing import Any

from sagemaker_hf.errors import ConfigurationError

# ---- hyperparameters -------------------------------------------------------------------------

PROGRAM = "sagemaker_program"
SUBMIT_DIRECTORY = "sagemaker_submit_directory"
LOG_LEVEL = "sagemaker_container_log_level"
JOB_NAME = "sagemaker_job_name"
REGION = "sagemaker_region"
# What script mode adds to every job (in SDK v2's order); the training toolkit reads these
# itself, and passes every other sagemaker_* one to the framework as a parameter.
SCRIPT_MODE_HYPERPARAMETERS = (SUBMIT_DIRECTORY, PROGRAM, LOG_LEVEL, JOB_NAME, REGION)
FRAMEWORK_PREFIX = "sagemaker_"


def encode_hyperparameters(values: dict[str, Any]) -> dict[str, str]:
    """Every value JSON-encoded, as SageMaker's framework containers expect (``3`` → ``"3"``)."""
    encoded = {}
    for key, value in values.items():
        try:
            text = json.dumps(value)
        except TypeError:
            raise ConfigurationError(
                f"hyperparameters[{key!r}]={value!r} is a {type(value).__name__}, which JSON cannot encode; "
                "use numbers, strings, booleans, lists or dicts."
            ) from None
        encoded[str(key)] = text
    return encoded


def decode_hyperparameters(values: dict[str, str]) -> dict[str, Any]:
    """The inverse of :func:`encode_hyperparameters`; a value that is not JSON stays a string."""
    decoded = {}
    for key, text in values.items():
        try:
            decoded[key] = json.loads(text)
        except ValueError:
            decoded[key] = text
    return decoded


# ---- archives and paths ----------------------------------------------------------------------

SOURCE_ARCHIVE_NAME = "sourcedir.tar.gz"
MODEL_ARCHIVE_NAME = "model.tar.gz"
OUTPUT_ARCHIVE_NAME = "output.tar.gz"

CONTAINER_ROOT = "/opt/ml"
DEFAULT_CHECKPOINT_DIR = "/opt/ml/checkpoints"  # CheckpointConfig.LocalPath when none is given
# Where SageMaker mounts the "code" channel when network isolation keeps S3 out of reach.
ISOLATED_SUBMIT_DIRECTORY = "/opt/ml/input/data/code/sourcedir.tar.gz"
