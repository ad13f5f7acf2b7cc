"""A local transform job's progress file, and what an interrupted job reports.

The job's thread writes ``progress.json`` in the job's folder (at most twice a second,
and at every object's start and end): records done, objects done and total, and per
input object whether it **completed** (its ``<name>.out`` published, with its record
count) or is **in progress** (records written so far and the local file holding them;
records are counted after their outputs are written, unbuffered, so the count never
exceeds what the file holds). When the job is stopped or fails, the outputs of the
object it was working on are published as ``<name>.out.partial`` and recorded as
**partial**; if they cannot be published (a full disk, S3 refusing the upload), the
local file is kept and named instead, with why.

A job that ends before finishing (Stopped, or Failed) reports which records completed,
built here from that file by :func:`interruption_note`:

- completed objects (names, and where their outputs are);
- the object it was working on: how many of its first records were transformed and
  where their outputs are (``<name>.out.partial`` in the output location when the job's
  thread published it; the file in the job's folder on this machine when the Python
  process running the job was killed and nothing could publish it, or publishing failed);
- how many objects were not started.

SageMaker's DescribeTransformJob has no field for this. Local mode puts the note in
``FailureReason`` of a Failed job, and in ``Progress["Interrupted"]`` (next to the
local-only ``Progress`` counts) of a Stopped job; ``Transformer.wait()`` prints it when
the job stops. ``Progress["Objects"]`` lists each object that completed or was started.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROGRESS_NAME = "progress.json"
PROGRESS_EVERY_SECONDS = 0.5
_NAMES_SHOWN = 5


@dataclass
class Progress:
    """Records and objects done, written to ``progress.json`` for DescribeTransformJob."""

    path: Path
    objects_total: int = 0
    objects_done: int = 0
    records: int = 0
    completed: list[dict[str, Any]] = field(default_factory=list)
    current: dict[str, Any] | None = None
    partial: dict[str, Any] | None = None
    started: float = field(default_factory=time.monotonic)
    _written: float = float("-inf")

    def start_object(self, name: str, local_file: Path) -> None:
        self.current = {"name": name, "records": 0, "file": str(local_file)}
        self.add(0, force=True)

    def finish_object(self, uri: str) -> None:
        """The current object's output is published as ``uri`` (its ``.out``)."""
        self.completed.append(
            {"name": self.current["name"], "records": self.current["records"], "output": uri}
        )
        self.objects_done += 1
        self.current = None
        self.add(0, force=True)

    def interrupt_object(self, output: str | None, not_published: str | None = None) -> None:
        """The job ends inside the current object; ``output`` holds its partial outputs (None: none).

        ``not_published`` says why ``output`` is still the local file rather than the output location.
        """
        if self.current is not None:
            self.partial = {**self._current_counts(), "output": output}
            if not_published:
                self.partial["not_published"] = not_published
        self.current = None
        self.add(0, force=True)

    def _current_counts(self) -> dict[str, Any]:
        assert self.current is not None
        return {"name": self.current["name"], "records": self.current["records"]}

    def add(self, records: int, force: bool = False) -> None:
        self.records += records
        if self.current is not None:
            self.current["records"] += records
        now = time.monotonic()
        if force or now - self._written >= PROGRESS_EVERY_SECONDS:
            self._written = now
            state = {
                "records": self.records,
                "objects_done": self.objects_done,
                "objects_total": self.objects_total,
                "seconds": now - self.started,
                "completed": self.completed,
                "current": self.current,
                "partial": self.partial,
            }
            partial = self.path.with_name(f".{self.path.name}.partial")
            try:
                partial.write_text(json.dumps(state))
                os.replace(partial, self.path)
            except OSError:  # a full disk: the outputs matter more than this report; the next write retries
                pass


def read_progress(work_dir: Path) -> dict[str, Any] | None:
    try:
        return json.loads((work_dir / PROGRESS_NAME).read_text())
    except (OSError, ValueError):
        return None


# progress.json's key, the object's status in Progress["Objects"], and where its outputs are.
_OBJECT_STATES = (
    ("completed", "Completed", "output"),
    ("partial", "Partial", "output"),
    ("current", "InProgress", "file"),
)


def _as_list(value: Any) -> list[dict[str, Any]]:
    return value if isinstance(value, list) else [value] if value else []


def describe_progress(state: dict[str, Any]) -> dict[str, Any]:
    """The local-only ``Progress`` of DescribeTransformJob."""
    seconds = state.get("seconds") or 0.0
    objects = [
        {"Name": item["name"], "Status": status, "RecordsDone": item["records"], "Output": item[where]}
        for key, status, where in _OBJECT_STATES
        for item in _as_list(state.get(key))
    ]
    return {
        "RecordsDone": state["records"],
        "RecordsPerSecond": round(state["records"] / seconds, 1) if seconds > 0 else 0.0,
        "ObjectsDone": state["objects_done"],
        "ObjectsTotal": state["objects_total"],
        "Objects": objects,
    }


def interruption_note(state: dict[str, Any] | None, with_current_object: bool = True) -> str:
    """Which records an interrupted job completed (see the module docstring).

    ``with_current_object=False`` leaves out the object the job was working on, for a
    failure whose reason already says it.
    """
    if state is None:
        return "No record had been transformed."
    completed = state.get("completed", [])
    total = state.get("objects_total", 0)
    names = [item["name"] for item in completed[:_NAMES_SHOWN]]
    more = f" and {len(completed) - _NAMES_SHOWN} more" if len(completed) > _NAMES_SHOWN else ""
    sentences = [f"{len(completed)} of {total} input objects completed"]
    if completed:
        sentences[0] += f" ({', '.join(names)}{more}; each has its <name>.out in the output path)"
    started = state.get("partial") or state.get("current")
    if with_current_object and started:
        sentences.append(_started_object(state))
    not_started = total - len(completed) - (1 if started else 0)
    if not_started > 0:
        sentences.append(f"{not_started} not started")
    return ". ".join(sentences) + "."


def _started_object(state: dict[str, Any]) -> str:
    partial, current = state.get("partial"), state.get("current")
    item = partial or current
    assert item is not None
    count = item["records"]
    if count == 0:
        return f"{item['name']}: no record was transformed"
    done = f"{item['name']}: its first {count:,} records were transformed; their outputs are in"
    if partial is not None and partial.get("not_published"):
        return f"{done} {item['output']} on this machine (not published: {partial['not_published']})"
    if partial is not None:
        return f"{done} {item['output']}"
    return f"{done} {item['file']} on this machine (not published: the process running the job ended)"
