"""Secrets out of every text we write: logs, error messages, failure reasons, records.

A secret reaches text in ways nobody plans: pip echoes ``-r /proc/self/environ`` or a
``${AWS_SECRET_ACCESS_KEY}`` it expanded, a library quotes a header, a user's script prints
its environment. So the toolkit and local mode pass what they write through a
:class:`Redactor`, which masks

- every value of a secret-named environment variable (:func:`is_secret_name`: ``HF_TOKEN``,
  ``AWS_SECRET_ACCESS_KEY``, ``*_PASSWORD``, ``*_API_KEY`` ...) of the process, and any value
  registered with :meth:`Redactor.add` (the Hub token, a model's ``Environment`` secrets);
- text shaped like a known credential even when no variable names it (Hugging Face tokens,
  AWS access key ids, GitHub tokens).

This module is a leaf (standard library only), so the SDK, local mode and the toolkit share it.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable, Mapping

MASK = "***"

SECRET_NAMES = frozenset({"TOKEN", "SECRET", "PASSWORD", "HUGGING_FACE_HUB_TOKEN"})
SECRET_SUFFIXES = (
    "_TOKEN",  # HF_TOKEN, HF_API_TOKEN, AWS_SESSION_TOKEN, GITHUB_TOKEN...
    "_SECRET",
    "_PASSWORD",
    "_API_KEY",  # WANDB_API_KEY, COMET_API_KEY...
    "_SECRET_KEY",
    "_ACCESS_KEY",  # AWS_SECRET_ACCESS_KEY
    "_ACCESS_KEY_ID",  # AWS_ACCESS_KEY_ID
)
# Shorter values ("1", "true", "none") would mask ordinary words all over a log.
MIN_SECRET_LENGTH = 6

# Credentials recognisable by shape alone.
_CREDENTIAL_SHAPES = re.compile(
    r"\bhf_[A-Za-z0-9]{20,}"  # Hugging Face user access tokens
    r"|\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"  # AWS access key ids (long-term and temporary)
    r"|\bgh[pousr]_[A-Za-z0-9]{30,}"  # GitHub tokens
    r"|\bgithub_pat_[A-Za-z0-9_]{30,}"
)


def is_secret_name(name: str) -> bool:
    """Whether an environment variable called ``name`` holds a secret by convention."""
    upper = name.upper()
    return upper in SECRET_NAMES or upper.endswith(SECRET_SUFFIXES)


def secret_values(environ: Mapping[str, str]) -> set[str]:
    """The values of ``environ``'s secret-named variables that are long enough to mask."""
    return {
        value
        for name, value in environ.items()
        if is_secret_name(name) and isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH
    }


class Redactor:
    """Masks a growing set of secret values, and credential-shaped text, in any string."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: tuple[str, ...] = ()
        self.add(*secrets)

    def add(self, *values: str | None) -> None:
        """Mask ``values`` from now on (``None``, empty and very short values are skipped)."""
        fresh = {value for value in values if value and len(value) >= MIN_SECRET_LENGTH}
        with self._lock:
            # Longest first, so a secret that contains another is masked whole.
            self._secrets = tuple(sorted(fresh.union(self._secrets), key=len, reverse=True))

    def add_environment(self, environ: Mapping[str, str]) -> None:
        self.add(*secret_values(environ))

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return _CREDENTIAL_SHAPES.sub(MASK, text)


def environment_redactor(environ: Mapping[str, str] | None = None) -> Redactor:
    """A :class:`Redactor` for the secrets of ``environ`` (this process's environment by default)."""
    return Redactor(secret_values(os.environ if environ is None else environ))
