"""``requirements.txt`` files of model and training code, read before pip runs.

:func:`has_requirements` says whether a file lists anything to install. It may include
other files only from inside its own folder (``code/``):

pip reads ``-r FILE`` / ``-c FILE`` lines (and their long forms) as more requirement files,
and echoes a line it cannot parse in its error. ``-r /proc/self/environ`` therefore prints
the whole environment, credentials included, into the load error; a URL would fetch
requirements from anywhere. :func:`check_references` refuses, before pip runs, every such
line whose file is not inside the code directory, following included files recursively.
pip expands ``${NAME}`` from the environment before reading a line, so the check does too.

This module is a leaf (standard library and :mod:`sagemaker_hf.errors` only): the inference
toolkit and local training jobs both use it.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator, Mapping
from pathlib import Path

from sagemaker_hf.errors import UnsafeRequirementsError

_FILE_OPTIONS = ("-r", "--requirement", "-c", "--constraint")
_VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)\}")  # the only form pip expands
_COMMENT = re.compile(r"(^|\s+)#.*$")


def has_requirements(path: Path) -> bool:
    """Whether ``path`` exists and holds a line that is not blank or a comment."""
    if not path.is_file():
        return False
    return any(line.strip() for _, line in _logical_lines(path.read_text(encoding="utf-8", errors="replace")))


def check_references(path: Path, environ: Mapping[str, str] | None = None) -> None:
    """Raise :class:`UnsafeRequirementsError` if ``path`` (or a file it includes) names a file outside
    ``path``'s directory, or a URL, with ``-r``/``-c``."""
    root = path.parent.resolve()
    environ = os.environ if environ is None else environ
    pending, seen = [path.resolve()], set()
    while pending:
        current = pending.pop()
        if current in seen or not current.is_file():
            continue  # a missing file is pip's error to report, with its own message
        seen.add(current)
        for number, option, target in _file_references(current, environ):
            where = f"{_shown(current, root)} line {number}: {option} {target}"
            if "://" in target:
                raise UnsafeRequirementsError(
                    f"{where} names a URL; requirement files may include only files inside code/. "
                    "Copy the file into code/ and refer to it by its relative path."
                )
            included = (current.parent / target).resolve()
            if not included.is_relative_to(root):
                raise UnsafeRequirementsError(
                    f"{where} points outside code/; requirement files may include only files inside "
                    "code/. Copy the file into code/ and refer to it by its relative path."
                )
            pending.append(included)


def _shown(path: Path, root: Path) -> str:
    return f"code/{path.relative_to(root).as_posix()}" if path.is_relative_to(root) else str(path)


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, line) with pip's backslash continuations joined and comments dropped."""
    pending, start = "", 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        if line.endswith("\\") and not line.endswith("\\\\"):
            pending += line[:-1]
            continue
        yield start, _COMMENT.sub("", pending + line)
        pending = ""
    if pending:
        yield start, _COMMENT.sub("", pending)


def _file_references(path: Path, environ: Mapping[str, str]) -> Iterator[tuple[int, str, str]]:
    text = path.read_text(encoding="utf-8", errors="replace")
    for number, line in _logical_lines(text):
        line = _VARIABLE.sub(lambda found: environ.get(found.group(1), found.group(0)), line)
        try:
            words = shlex.split(line)
        except ValueError:
            words = line.split()
        for index, word in enumerate(words):
            for option in _FILE_OPTIONS:
                if word == option and index + 1 < len(words):
                    yield number, option, words[index + 1]
                elif option.startswith("--") and word.startswith(option + "="):
                    yield number, option, word[len(option) + 1 :]
                elif not option.startswith("--") and word.startswith(option) and len(word) > 2:
                    yield number, option, word[2:].lstrip("=")
