"""Logging for the front process and the workers: one format, and secrets never written.

Request bodies are never logged. The Hub token is held as a secret in the settings, and
every log record, error message and line printed to stdout/stderr (a user's ``print``, a
traceback) passes through :func:`redact`: the token, every secret-named environment
variable's value (``AWS_SECRET_ACCESS_KEY``, a model's ``*_PASSWORD`` ...) and
credential-shaped text are masked, in case pip, a library or user code echoes them.
"""

from __future__ import annotations

import io
import logging
import os
import sys
from typing import Any, TextIO

from sagemaker_hf.container.redaction import Redactor
from sagemaker_hf.toolkit.settings import Settings

_FORMAT = "%(asctime)s %(levelname)s %(processName)s %(name)s: %(message)s"
# One line per request, under its own logger name (so it can be silenced alone).
access_logger = logging.getLogger("sagemaker_hf.toolkit.requests")
PHASES = ("decode", "predict", "encode", "transform")
_redactor = Redactor()


def redact(text: str) -> str:
    return _redactor.redact(text)


class _RedactingStream(io.TextIOBase):
    """stdout/stderr with every write redacted (the stream's other attributes pass through)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(redact(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def fileno(self) -> int:
        return self._stream.fileno()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class _RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def configure_logging(settings: Settings) -> None:
    """Log to stderr (SageMaker sends it to CloudWatch) at ``SAGEMAKER_CONTAINER_LOG_LEVEL``."""
    _redactor.add(settings.token_value())
    _redactor.add_environment(os.environ)
    if not isinstance(sys.stdout, _RedactingStream):
        sys.stdout = _RedactingStream(sys.stdout)
    if not isinstance(sys.stderr, _RedactingStream):
        sys.stderr = _RedactingStream(sys.stderr)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.addFilter(_RedactingFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    # Our per-request line replaces uvicorn's access log.
    logging.getLogger("uvicorn.access").disabled = True


def format_ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.1f}"


def log_request(
    request_id: int,
    status: int,
    content_type: str | None,
    accept: str | None,
    size: int,
    phases: dict[str, float],
    total: float,
    worker_pid: int | None,
    error_type: str,
    kind: str = "",
) -> None:
    """The request's one log line (never its body)."""
    if not access_logger.isEnabledFor(logging.INFO):
        return
    timed = " ".join(f"{phase}={format_ms(phases[phase])}ms" for phase in PHASES if phase in phases)
    access_logger.info(
        "%srequest %d: %d content_type=%s accept=%s bytes=%d queue=%sms %s total=%sms worker=%s%s",
        kind,
        request_id,
        status,
        content_type or "-",
        accept or "-",
        size,
        format_ms(phases.get("queue")),
        timed or "-",
        format_ms(total),
        worker_pid or "-",
        f" error={error_type}" if error_type else "",
    )
