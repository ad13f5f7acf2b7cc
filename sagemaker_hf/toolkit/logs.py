"""Logging for the front process and the workers: one format, and secrets never written.

Request bodies are never logged. The Hub token is held as a secret in the settings and
additionally scrubbed from every log record and error message by :func:`redact`, in case
a library puts it into a message.
"""

from __future__ import annotations

import logging
import sys

from sagemaker_hf.toolkit.settings import Settings

_FORMAT = "%(asctime)s %(levelname)s %(processName)s %(name)s: %(message)s"
_secrets: list[str] = []


def redact(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, "***")
    return text


class _RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if _secrets:
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
    token = settings.token_value()
    if token and token not in _secrets:
        _secrets.append(token)
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
