"""The ``sagemaker-hf`` command line (also ``python -m sagemaker_hf.cli``).

Each subcommand imports what it needs only when it runs, so ``--help`` stays instant:

- ``serve``            the inference toolkit's server (``python -m sagemaker_hf.toolkit serve``)
- ``image-uri``, ``images``   :mod:`~sagemaker_hf.cli.images`
- ``local ls``, ``local rm``  :mod:`~sagemaker_hf.cli.local`
- ``batch``            :mod:`~sagemaker_hf.cli.batch`, a local transform job

These programs sit above the seam: they drive the SDK (``LocalSession``, ``HuggingFaceModel``)
and read local mode's registry; nothing below imports them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sagemaker_hf.cli.batch import add_batch_parser
from sagemaker_hf.cli.images import add_image_parsers
from sagemaker_hf.cli.local import add_local_parsers


def _serve(argv: Sequence[str]) -> int:
    # The toolkit owns its flags; `sagemaker-hf serve` and `python -m sagemaker_hf.toolkit serve`
    # are the same program.
    from sagemaker_hf.toolkit.__main__ import main as toolkit_main

    return toolkit_main(["serve", *argv])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sagemaker-hf",
        description="Deploy and train Hugging Face models on Amazon SageMaker, or locally without Docker.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    subparsers.add_parser(
        "serve",
        help="run the inference server (the container's entry point); see `sagemaker-hf serve --help`",
        add_help=False,
    )
    add_image_parsers(subparsers)  # image-uri, images
    add_local_parsers(subparsers)  # local ls, local rm
    add_batch_parser(subparsers)  # batch (a local transform job)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] == "serve":
        return _serve(args_list[1:])
    parser = build_parser()
    args = parser.parse_args(args_list)
    return args.handler(args)
