"""``python -m sagemaker_hf.cli``: the ``sagemaker-hf`` command."""

from __future__ import annotations

import sys

from sagemaker_hf.cli import main

sys.exit(main())
