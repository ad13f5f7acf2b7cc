"""The notebook check's summary line, printed at the end of the run."""

from __future__ import annotations

from tests.notebooks import tally


def pytest_terminal_summary(terminalreporter) -> None:
    line = tally.summary()
    if line:
        terminalreporter.write_line(line)
