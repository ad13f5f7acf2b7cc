"""The hosting tests' fixtures: tests/sdk/conftest.py's (every service's calls in ``requests_log``)."""

from __future__ import annotations

from tests.sdk.conftest import requests_log  # noqa: F401 - a fixture, registered by this import
