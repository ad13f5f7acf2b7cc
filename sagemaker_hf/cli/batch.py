"""``sagemaker-hf batch``: a local batch transform job from the command line.

It runs the same code as ``HuggingFaceModel(...).transformer(instance_type="local").transform(...)``
in a notebook: a model record, a transform job on the local SageMaker client, the toolkit
as a child process, progress on stderr while it runs. It exits 0 when the job completes,
1 with the job's FailureReason when it fails, 2 for a bad command line, and stops the
job on Ctrl-C (130). The model record it made is deleted at the end.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

CLI_IMAGE = "sagemaker-hf-batch"  # recorded in the local model; local mode runs the installed toolkit
_EPILOG = """\
examples:
  sagemaker-hf batch --model-dir ./model --task text-classification input.jsonl --output out/
  sagemaker-hf batch --model-dir ./model data/ --output s3://bucket/predictions/ --strategy SingleRecord
  sagemaker-hf batch --model-dir ./model rows.csv --output out/ --input-filter '$[1:]' --join-source Input

Each input file gives <output>/<file>.out with one line per input line, in order.
JSON Lines records go to the model as they are; CSV lines (no header) as {"inputs": ...}.
"""
_CSV_SUFFIXES = (".csv", ".csv.gz")


def add_batch_parser(subparsers: Any) -> None:
    batch = subparsers.add_parser(
        "batch",
        help="run a local batch transform job over JSON Lines or CSV files",
        description="Run a local batch transform job (no Docker, no AWS account).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    batch.add_argument("input", help="a file, a folder of files, or an s3:// prefix")
    batch.add_argument("--model-dir", required=True, help="the model folder (or a model.tar.gz)")
    batch.add_argument("--task", help="HF_TASK, e.g. text-classification (default: from config.json)")
    batch.add_argument("--output", required=True, help="output folder or s3:// prefix")
    batch.add_argument("--content-type", help="default: text/csv for .csv inputs, else application/jsonlines")
    batch.add_argument("--accept", help="e.g. text/csv to write predictions as CSV rows")
    batch.add_argument("--strategy", choices=("MultiRecord", "SingleRecord"), default="MultiRecord")
    batch.add_argument("--split-type", choices=("Line", "None"), default="Line")
    batch.add_argument("--assemble-with", choices=("Line", "None"), default="Line")
    batch.add_argument("--compression", choices=("Gzip",), help="the inputs are gzipped")
    batch.add_argument(
        "--max-payload-mb", type=int, help="largest request (default: what the model server says)"
    )
    batch.add_argument(
        "--max-concurrent", type=int, help="requests in flight (default: one per model worker)"
    )
    batch.add_argument("--input-filter", help="JSONPath of what to send, e.g. '$.inputs' or '$[1:]'")
    batch.add_argument("--output-filter", help="JSONPath of what to keep, e.g. \"$['id','SageMakerOutput']\"")
    batch.add_argument(
        "--join-source", choices=("Input", "None"), help="Input: join each output with its record"
    )
    batch.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="model environment (repeatable)"
    )
    batch.set_defaults(handler=run_batch)


def _content_type(args: argparse.Namespace) -> str:
    if args.content_type:
        return args.content_type
    return "text/csv" if args.input.lower().endswith(_CSV_SUFFIXES) else "application/jsonlines"


def _environment(args: argparse.Namespace) -> dict[str, str]:
    environment = {}
    for item in args.env:
        name, equals, value = item.partition("=")
        if not equals or not name:
            raise ValueError(f"--env {item!r} is not NAME=VALUE")
        environment[name] = value
    if args.task:
        environment["HF_TASK"] = args.task
    return environment


def _location(value: str) -> str:
    return value if value.startswith("s3://") else str(Path(value).expanduser().resolve())


def _fail(message: str, code: int) -> int:
    print(f"sagemaker-hf batch: {message}", file=sys.stderr)
    return code


def run_batch(args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from sagemaker_hf import HuggingFaceModel
    from sagemaker_hf.errors import ConfigurationError, ResourceFailedError
    from sagemaker_hf.session import LocalSession

    try:
        environment = _environment(args)
    except ValueError as error:
        return _fail(str(error), 2)
    session = LocalSession()
    model = None
    transformer = None
    try:
        model = HuggingFaceModel(
            model_data=_location(args.model_dir),
            env=environment,
            image_uri=CLI_IMAGE,
            sagemaker_session=session,
        )
        transformer = model.transformer(
            instance_count=1,
            instance_type="local",
            strategy=args.strategy,
            assemble_with=None if args.assemble_with == "None" else args.assemble_with,
            output_path=_location(args.output),
            accept=args.accept,
            max_concurrent_transforms=args.max_concurrent,
            max_payload=args.max_payload_mb,
        )
        transformer.transform(
            _location(args.input),
            content_type=_content_type(args),
            split_type=args.split_type,
            compression_type=args.compression,
            input_filter=args.input_filter,
            output_filter=args.output_filter,
            join_source=args.join_source,
        )
        job = transformer.describe()
        progress = job.get("Progress", {})
        print(
            f"{job['TransformJobName']}: {progress.get('RecordsDone', 0):,} records from "
            f"{progress.get('ObjectsDone', 0)} file(s) → {job['TransformOutput']['S3OutputPath']}"
        )
        return 0
    except ResourceFailedError as error:
        return _fail(f"the job failed: {error.failure_reason}", 1)
    except KeyboardInterrupt:
        if transformer is not None and transformer.latest_transform_job is not None:
            transformer.stop_transform_job(wait=True)
        return _fail("stopped", 130)
    except (ConfigurationError, ClientError, BotoCoreError) as error:
        return _fail(str(error), 2)
    finally:
        if model is not None and model.name is not None:
            session.sagemaker_client.delete_model(ModelName=model.name)
