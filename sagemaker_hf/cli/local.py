"""``sagemaker-hf local ls`` and ``sagemaker-hf local rm``: see local endpoints and jobs, remove endpoints.

Endpoints outlive the notebook that deployed them, like real ones; these commands find
them through the registry, from any process. ``ls`` computes each status live, so an
endpoint whose process was killed shows as Failed with the reason, and lists the local
transform and training jobs below (a job whose Python process ended shows as Failed);
``rm`` stops the process and deletes the endpoint. ``rm --all`` also stops processes of
this local home that no record names any more (a crash between start and save).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

_EPILOG = """\
examples:
  sagemaker-hf local ls
  sagemaker-hf local rm huggingface-pytorch-inference-2024-05-01-12-30-45-123
  sagemaker-hf local rm --all

The local home is $SAGEMAKER_HF_LOCAL_HOME (default ~/.cache/sagemaker-hf/local).
"""


def add_local_parsers(subparsers: Any) -> None:
    local = subparsers.add_parser(
        "local",
        help="list local endpoints and jobs, or remove endpoints (instance_type='local')",
        description="List or remove local-mode endpoints.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = local.add_subparsers(dest="local_command", metavar="COMMAND", required=True)
    listing = commands.add_parser("ls", help="list local endpoints and jobs with their live status")
    listing.set_defaults(handler=_list)
    remove = commands.add_parser("rm", help="stop and delete local endpoints")
    remove.add_argument("names", nargs="*", metavar="NAME", help="endpoint names")
    remove.add_argument("--all", action="store_true", help="every local endpoint, and stray processes")
    remove.set_defaults(handler=_remove)


def _client() -> Any:
    from sagemaker_hf.session import LocalSession

    return LocalSession().sagemaker_client


def _list(args: argparse.Namespace) -> int:
    from sagemaker_hf.local import lifecycle
    from sagemaker_hf.local.registry import EndpointRecord, UnreadableRecordError

    client = _client()
    rows = []
    for entry in client.registry.entries(EndpointRecord):
        if isinstance(entry, UnreadableRecordError):
            rows.append((entry.name, _UNREADABLE, "-", "-", "-", _unreadable_reason(entry, removable=True)))
            continue
        observation = lifecycle.observe(client.registry, client.settings, entry)
        process = observation.record.current.process
        rows.append(
            (
                entry.name,
                observation.status,
                str(process.pid) if process and observation.status != "Failed" else "-",
                process.url if process and observation.status != "Failed" else "-",
                _when(entry.created),
                _first_line(observation.failure_reason),
            )
        )
    if rows:
        _print_table(("NAME", "STATUS", "PID", "URL", "CREATED", "REASON"), rows)
    else:
        print(f"no local endpoints in {client.settings.home}")
    jobs = _job_rows(client)
    if jobs:
        print()
        _print_table(("JOB", "KIND", "STATUS", "CREATED", "REASON"), jobs)
    return 0


def _job_rows(client: Any) -> list[tuple[str, ...]]:
    """Local transform and training jobs, newest first, with their live status; an unreadable
    record is a row that says so."""
    from sagemaker_hf.local.batch.jobs import TransformJobRecord
    from sagemaker_hf.local.registry import UnreadableRecordError
    from sagemaker_hf.local.training.jobs import TrainingJobRecord

    kinds = (
        (
            "transform",
            TransformJobRecord,
            client.describe_transform_job,
            "TransformJobName",
            "TransformJobStatus",
        ),
        ("training", TrainingJobRecord, client.describe_training_job, "TrainingJobName", "TrainingJobStatus"),
    )
    jobs, unreadable = [], []
    for kind, record_class, describe, name_member, status_member in kinds:
        for entry in client.registry.entries(record_class):
            if isinstance(entry, UnreadableRecordError):
                unreadable.append(
                    (entry.name, kind, _UNREADABLE, "-", _unreadable_reason(entry, removable=False))
                )
                continue
            job = describe(**{name_member: entry.name})
            jobs.append((entry.name, kind, job[status_member], job["CreationTime"], job.get("FailureReason")))
    jobs.sort(key=lambda job: job[3], reverse=True)
    readable = [
        (name, kind, status, _when(created), _first_line(reason))
        for name, kind, status, created, reason in jobs
    ]
    return readable + unreadable


_UNREADABLE = "Unreadable"


def _unreadable_reason(error: Any, removable: bool) -> str:
    remedy = f"`sagemaker-hf local rm {error.name}` removes it" if removable else f"delete {error.path}"
    return f"{_first_line(str(error))} ({remedy})"


def _when(moment: Any) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """Columns padded to their widest value; the last one (a reason) is left as it is."""
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header) - 1)]
    for row in [header, *rows]:
        print(
            "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=False)) + "  " + row[-1]
        )


def _first_line(reason: str | None) -> str:
    return reason.splitlines()[0] if reason else ""


def _remove(args: argparse.Namespace) -> int:
    from botocore.exceptions import ClientError

    from sagemaker_hf.local.registry import EndpointRecord

    client = _client()
    if bool(args.names) == args.all:
        print("sagemaker-hf local rm: name one or more endpoints, or pass --all", file=sys.stderr)
        return 2
    names = client.registry.names(EndpointRecord) if args.all else args.names
    failed = False
    for name in names:
        try:
            client.delete_endpoint(EndpointName=name)
        except ClientError as error:
            print(f"sagemaker-hf local rm: {error.response['Error']['Message']}", file=sys.stderr)
            failed = True
            continue
        except Exception as error:  # one endpoint that cannot be removed does not keep the others running
            print(f"sagemaker-hf local rm: {name}: {type(error).__name__}: {error}", file=sys.stderr)
            failed = True
            continue
        print(f"deleted {name}")
    if args.all:
        _stop_strays(client)
    return 1 if failed else 0


def _stop_strays(client: Any) -> None:
    """Stop the processes of this local home that no endpoint or job names any more (a crash
    between start and save); a running transform job's model server is left running."""
    from sagemaker_hf.local import endpoints, processes
    from sagemaker_hf.local.batch.jobs import TransformJobRecord

    named = {
        process.pid
        for name in client.registry.names(TransformJobRecord)
        for process in client.registry.child_processes(TransformJobRecord, name)
    }
    for pid, work_dir in processes.marked_processes(client.settings.home).items():
        if _group_of(pid) in named:  # the server or one of its workers
            continue
        processes.stop_group(pid, processes.identity(pid), client.settings.stop_timeout_seconds)
        endpoints.remove_work_dir(work_dir, client.settings)
        print(f"stopped stray process {pid} ({work_dir})")


def _group_of(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except OSError:
        return None
