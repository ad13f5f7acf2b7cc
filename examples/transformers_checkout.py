"""The transformers example scripts (``run_qa.py``, ``run_glue.py``, ``run_summarization.py``).

The distributed-training notebooks (03, 04, 08) let SDK v2 fetch these scripts with
``git_config={"repo": "https://github.com/huggingface/transformers.git", "branch": ...}``.
sagemaker-hf does not run git for you (``git_config`` raises a ``ConfigurationError`` that
says so): clone the repository yourself and pass ``source_dir`` inside the checkout. This
helper does exactly that, or uses a checkout you already have (``--transformers-checkout``).
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPOSITORY = "https://github.com/huggingface/transformers.git"


@contextmanager
def transformers_examples(checkout: str | None, branch: str, folder: str) -> Iterator[str]:
    """``<checkout>/<folder>``, cloning ``branch`` into a temporary folder when no checkout is given.

    The folder only has to exist until ``fit()`` has packed and uploaded the code.
    """
    if checkout is not None:
        yield _existing(Path(checkout), folder, branch)
        return
    with tempfile.TemporaryDirectory(prefix="transformers-") as scratch:
        print(f"Cloning {REPOSITORY} at {branch} (SDK v2's git_config did this behind the scenes)")
        subprocess.run(
            ["git", "clone", "--quiet", "--depth", "1", "--branch", branch, REPOSITORY, scratch], check=True
        )
        yield _existing(Path(scratch), folder, branch)


def _existing(checkout: Path, folder: str, branch: str) -> str:
    path = checkout / folder
    if not path.is_dir():
        raise SystemExit(f"{path} does not exist: is {checkout} a checkout of {REPOSITORY} at {branch}?")
    return str(path)
