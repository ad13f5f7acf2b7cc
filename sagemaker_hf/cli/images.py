"""The ``sagemaker-hf image-uri`` and ``sagemaker-hf images`` subcommands.

The parsers are registered by ``sagemaker_hf.cli``; the handlers import the resolver only
when they run, so ``sagemaker-hf --help`` stays instant. A bad value prints the
resolver's message on stderr and exits 2.
"""

from __future__ import annotations

import argparse
import sys
import textwrap

IMAGE_URI_EXAMPLES = """\
examples:
  sagemaker-hf image-uri --transformers 4.26 --pytorch 1.13 --py-version py39 \\
      --region eu-west-1 --instance-type ml.g5.xlarge --scope inference
  sagemaker-hf image-uri --transformers 4.28 --pytorch 2.0 --region us-east-1 \\
      --instance-type ml.p4d.24xlarge --scope training
  sagemaker-hf image-uri --transformers 4.36 --pytorch 2.1 --region us-east-1 --instance-type ml.inf2.xlarge
  sagemaker-hf image-uri --transformers 4.37 --pytorch 2.1 --region us-east-1 --serverless
  sagemaker-hf image-uri --family huggingface-llm --version 3.3 --region us-east-1
  sagemaker-hf image-uri --family huggingface-tei-cpu --region eu-west-1
"""

IMAGES_EXAMPLES = """\
examples:
  sagemaker-hf images                                    every family, its scopes and newest version
  sagemaker-hf images --family huggingface --scope inference
  sagemaker-hf images --family huggingface-llm --version 3.3 --regions
"""


def add_image_parsers(subparsers: argparse._SubParsersAction) -> None:
    """Register ``image-uri`` and ``images`` on the CLI's subparsers."""
    formatter = argparse.RawDescriptionHelpFormatter
    uri = subparsers.add_parser(
        "image-uri",
        help="print the ECR image URI of a Hugging Face container",
        description="Print the ECR URI of a Hugging Face Deep Learning Container, resolved offline\n"
        "from the bundled version matrix with SageMaker SDK v2's rules (image_uris.retrieve).\n"
        "Versions are used as typed: --transformers 4.26 --pytorch 1.13 gives a 1.13-transformers4.26 tag.",
        epilog=IMAGE_URI_EXAMPLES,
        formatter_class=formatter,
    )
    uri.add_argument(
        "--family",
        "--framework",
        dest="family",
        default="huggingface",
        help="image family (default: huggingface); see `sagemaker-hf images` for all of them",
    )
    uri.add_argument("--transformers", metavar="VERSION", help="transformers version, e.g. 4.26 or 4.26.0")
    uri.add_argument(
        "--version", metavar="VERSION", help="the family's version (TGI, TEI, vLLM, ...); default: newest"
    )
    framework = uri.add_mutually_exclusive_group()
    framework.add_argument("--pytorch", metavar="VERSION", help="PyTorch version, e.g. 1.13 or 1.13.1")
    framework.add_argument("--tensorflow", metavar="VERSION", help="TensorFlow version, e.g. 2.11")
    uri.add_argument("--py-version", help="Python version, e.g. py39 (optional when there is only one)")
    uri.add_argument("--region", required=True, help="AWS region, e.g. us-east-1")
    uri.add_argument(
        "--instance-type",
        help="e.g. ml.g5.xlarge (gpu), ml.m5.xlarge (cpu), ml.inf2.xlarge, local, local_gpu",
    )
    uri.add_argument("--scope", help="training or inference (optional when the family has one)")
    uri.add_argument("--serverless", action="store_true", help="a serverless endpoint (always cpu)")
    uri.add_argument("--compiler", action="store_true", help="the SageMaker Training Compiler images")
    uri.add_argument("--inference-tool", choices=["neuron", "neuronx"], help="select the Neuron images")
    uri.add_argument("--container-version", help="replace the tag's trailing container part")
    uri.set_defaults(handler=_image_uri)

    images = subparsers.add_parser(
        "images",
        help="list the image families, versions and regions of the version matrix",
        description="List what the bundled version matrix holds: every family, or one family's\n"
        "versions with their aliases, base frameworks, processors, Python versions and regions.",
        epilog=IMAGES_EXAMPLES,
        formatter_class=formatter,
    )
    images.add_argument("--family", "--framework", dest="family", help="show this family in detail")
    images.add_argument("--scope", help="only this scope (training or inference)")
    images.add_argument("--version", help="only this version (aliases such as 4.26 work)")
    images.add_argument("--regions", action="store_true", help="list the regions instead of counting them")
    images.set_defaults(handler=_images)


def _fail(command: str, message: object) -> int:
    print(f"sagemaker-hf {command}: error: {message}", file=sys.stderr)
    return 2


def _image_uri(args: argparse.Namespace) -> int:
    from sagemaker_hf import image_uris
    from sagemaker_hf.errors import SageMakerHFError

    if args.transformers and args.version and args.transformers != args.version:
        return _fail("image-uri", f"--transformers {args.transformers} and --version {args.version} disagree")
    if args.pytorch:
        base_framework_version = f"pytorch{args.pytorch}"
    elif args.tensorflow:
        base_framework_version = f"tensorflow{args.tensorflow}"
    else:
        base_framework_version = None
    try:
        uri = image_uris.retrieve(
            args.family,
            region=args.region,
            version=args.transformers or args.version,
            py_version=args.py_version,
            instance_type=args.instance_type,
            image_scope=args.scope,
            base_framework_version=base_framework_version,
            container_version=args.container_version,
            training_compiler_config=True if args.compiler else None,
            inference_tool=args.inference_tool,
            serverless_inference_config=True if args.serverless else None,
        )
    except SageMakerHFError as exc:
        return _fail("image-uri", exc)
    print(uri)
    return 0


def _images(args: argparse.Namespace) -> int:
    from sagemaker_hf import image_uris
    from sagemaker_hf.errors import SageMakerHFError

    try:
        if args.family is None:
            if args.scope or args.version:
                return _fail("images", "--scope and --version need --family")
            lines = _family_overview(image_uris)
        else:
            lines = _family_detail(image_uris, args.family, args.scope, args.version, args.regions)
    except SageMakerHFError as exc:
        return _fail("images", exc)
    try:
        print("\n".join(lines))
    except BrokenPipeError:  # `sagemaker-hf images | head`
        sys.stdout = None
    return 0


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]


def _family_overview(image_uris) -> list[str]:
    rows = [("FAMILY", "SCOPE", "VERSIONS", "NEWEST", "PROCESSORS")]
    for family in image_uris.list_frameworks():
        for scope in image_uris.list_scopes(family):
            images = image_uris.list_images(family, scope)
            versions = image_uris.list_versions(family, scope)
            processors = sorted({p for image in images for p in image.processors})
            rows.append((family, scope, str(len(versions)), versions[-1], ", ".join(processors)))
    return [*_table(rows), "", "Details: sagemaker-hf images --family FAMILY [--scope SCOPE] [--version V]"]


def _family_detail(
    image_uris, family: str, scope: str | None, version: str | None, regions: bool
) -> list[str]:
    images = image_uris.list_images(family, scope, version)
    rows = [
        ("SCOPE", "VERSION", "ALIASES", "BASE FRAMEWORK", "PROCESSORS", "PYTHON", "REGIONS", "REPOSITORY")
    ]
    for image in images:
        base = image.base_framework or "-"
        if image.base_framework_aliases:
            base += f" ({', '.join(image.base_framework_aliases)})"
        rows.append(
            (
                image.scope,
                image.version,
                ", ".join(image.version_aliases) or "-",
                base,
                ", ".join(image.processors) or "-",
                ", ".join(image.py_versions) or "-",
                str(len(image.regions)),
                image.repository,
            )
        )
    lines = _table(rows)
    if regions:
        for image in images:
            label = " ".join(part for part in (image.scope, image.version, image.base_framework) if part)
            lines.append("")
            lines.extend(
                textwrap.wrap(
                    ", ".join(image.regions),
                    width=100,
                    break_on_hyphens=False,
                    initial_indent=f"{label}: ",
                    subsequent_indent="  ",
                )
            )
    return lines
