"""Start AWS's Hugging Face inference toolkit as its DLC's entrypoint does, with nothing under /etc.

Runs in the peer venv (scripts/setup-peer), started by benchmarks/peer_aws_toolkit.py:

    .venv/peer/bin/python benchmarks/peer/launch_aws_toolkit.py RUN_FOLDER/sagemaker-mms.properties

The DLC's entrypoint calls ``sagemaker_huggingface_inference_toolkit.serving.main()``; so does
this, after one change. Everything else the toolkit and MMS write is moved by environment
variables the benchmark sets (``SAGEMAKER_BASE_DIR`` for /opt/ml, ``TEMP``/``TMPDIR`` for
temporary files and MMS's pid file, ``LOG_LOCATION``/``METRICS_LOCATION`` for MMS's logs,
``MMS_INFERENCE_ADDRESS``/``MMS_MANAGEMENT_ADDRESS`` to bind 127.0.0.1 instead of 0.0.0.0). The
one path with no variable is the MMS config file, ``/etc/sagemaker-mms.properties``, a module
attribute that sagemaker-inference writes to and the HF toolkit passes to MMS: both modules'
copies of it are pointed at the run folder.
"""

from __future__ import annotations

import sys


def main() -> None:
    config_file = sys.argv[1]
    from sagemaker_huggingface_inference_toolkit import mms_model_server, serving
    from sagemaker_inference import model_server

    model_server.MMS_CONFIG_FILE = config_file  # where _create_model_server_config_file writes
    mms_model_server.MMS_CONFIG_FILE = config_file  # what start_model_server passes to MMS
    serving.main()


if __name__ == "__main__":
    main()
