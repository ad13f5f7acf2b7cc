"""All the connections of one server: the cap on their number, the /ping reserve, and the sweep
that cuts slow heads and bodies (the limits of one connection: :mod:`transport`).

At ``SAGEMAKER_HF_MAX_CONNECTIONS`` connections, a newcomer takes the place of the connection
idle longest (no request in progress, quiet for at least ``SHED_GRACE_SECONDS``). With none,
it is admitted into a reserve of ``PING_RESERVE`` connections that answer only ``GET /ping``.
With the reserve full too, the longest idle connection of any age makes room; with none idle
at all, the newcomer is closed at once. The open-file limit is raised to hold the cap, or the
cap lowered to fit the limit (:func:`connection_cap`).
"""

from __future__ import annotations

import asyncio
import collections
import functools
import logging

from sagemaker_hf.toolkit.errors import ToolkitError
from sagemaker_hf.toolkit.settings import Settings
from sagemaker_hf.toolkit.transport import GuardedProtocol

logger = logging.getLogger(__name__)

# Connections beyond the cap that may only ask GET /ping.
PING_RESERVE = 32
# At the cap, a connection made less than this ago (a health check's among them) has had no time
# to send its request: it makes room for a newcomer only once the /ping reserve is full.
SHED_GRACE_SECONDS = 1.0
# File descriptors the front needs besides its connections: the listening socket, the event
# loop's, log files, and a few per worker (its pipe, the pipe's reader, the process sentinel).
BASE_DESCRIPTORS = 64
DESCRIPTORS_PER_WORKER = 4
# At most one summary of refused and closed connections per this many seconds (a flood of
# thousands would otherwise be thousands of log lines).
REPORT_SECONDS = 10.0


def connection_cap(settings: Settings) -> int:
    """The connections this process can hold: ``SAGEMAKER_HF_MAX_CONNECTIONS``, after raising the
    soft open-file limit toward the hard one if needed; lowered to fit when the limit cannot rise."""
    try:
        import resource
    except ImportError:  # not on a Unix: no limit to read
        return settings.max_connections
    others = PING_RESERVE + BASE_DESCRIPTORS + DESCRIPTORS_PER_WORKER * settings.workers
    needed = settings.max_connections + others
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return settings.max_connections
    raised = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
        soft = raised
    except (ValueError, OSError):
        pass
    if soft >= needed:
        return settings.max_connections
    cap = max(1, soft - others)
    logger.warning(
        "the open-file limit is %d (hard limit %s), so the server holds at most %d connections, not "
        "SAGEMAKER_HF_MAX_CONNECTIONS=%d: raise the limit (ulimit -n) or lower the setting",
        soft,
        hard,
        cap,
        settings.max_connections,
    )
    return cap


class ConnectionGuard:
    """What the connections of one server share: the settings, the open connections, the sweep."""

    def __init__(self, settings: Settings, max_connections: int) -> None:
        self.settings = settings
        self.max_connections = max_connections
        self.connections: dict[GuardedProtocol, None] = {}
        self.regular = 0  # connections in the cap; the others are in the /ping reserve
        self.sweep_seconds = min(1.0, settings.header_timeout / 4, settings.body_timeout / 4)
        self.refused: collections.Counter[str] = collections.Counter()
        self.shed = self.turned_away = self.closed_silent = 0
        self._sweep_handle: asyncio.TimerHandle | None = None
        self._reported_at = 0.0

    @property
    def protocol(self) -> functools.partial[GuardedProtocol]:
        """What uvicorn's ``Config(http=...)`` takes: it calls it once per connection."""
        return functools.partial(GuardedProtocol, guard=self)

    def admit(self, protocol: GuardedProtocol) -> None:
        """Count a new connection in; at the cap, make room for it (see the module docstring)."""
        self.connections[protocol] = None
        if self._sweep_handle is None:
            self._sweep_handle = protocol.loop.call_later(self.sweep_seconds, self._sweep, protocol.loop)
        if self.regular < self.max_connections:
            self.regular += 1
            return
        grace = protocol.active - SHED_GRACE_SECONDS
        victim = self._longest_idle(protocol, ping_only=False, quiet_since=grace)
        if victim is None and len(self.connections) - self.regular <= PING_RESERVE:
            protocol.ping_only = True
            return
        victim = victim or self._longest_idle(protocol, ping_only=False, quiet_since=protocol.active)
        if victim is not None:
            self.shed += 1
            self._close(victim)  # its place in the cap is the newcomer's
            self.regular += 1
            return
        protocol.ping_only = True
        victim = self._longest_idle(protocol, ping_only=True, quiet_since=protocol.active)
        if victim is not None:
            self.shed += 1
            self._close(victim)  # its place in the reserve is the newcomer's
        else:
            self.turned_away += 1
            self._close(protocol)

    def _longest_idle(
        self, newcomer: GuardedProtocol, ping_only: bool, quiet_since: float
    ) -> GuardedProtocol | None:
        """The idle connection (of the cap, or of the reserve) quiet the longest, if quiet since
        ``quiet_since``. A scan, only at the cap: cheaper than an order kept on every read."""
        found: GuardedProtocol | None = None
        for protocol in self.connections:
            if protocol is newcomer or protocol.ping_only is not ping_only or protocol.active > quiet_since:
                continue
            if protocol.idle and (found is None or protocol.active < found.active):
                found = protocol
        return found

    def _close(self, protocol: GuardedProtocol) -> None:
        # Forgotten at once: connection_lost comes a loop iteration later, and the count must not
        # wait for it while a flood of connections arrives.
        self.forget(protocol)
        protocol.transport.close()

    def forget(self, protocol: GuardedProtocol) -> None:
        if protocol in self.connections:
            del self.connections[protocol]
            if not protocol.ping_only:
                self.regular -= 1

    def count(self, error: ToolkitError) -> None:
        self.refused[f"{error.status} {error.type}"] += 1

    def _sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        now = loop.time()
        for protocol in list(self.connections):
            protocol.check(now)
        if now - self._reported_at >= REPORT_SECONDS:
            self._report(now)
        self._sweep_handle = None
        if self.connections:
            self._sweep_handle = loop.call_later(self.sweep_seconds, self._sweep, loop)

    def _report(self, now: float) -> None:
        parts = [f"{count} answered {status}" for status, count in sorted(self.refused.items())]
        if self.shed:
            parts.append(
                f"{self.shed} idle connection(s) closed for new ones at the cap of {self.max_connections} "
                "(SAGEMAKER_HF_MAX_CONNECTIONS)"
            )
        if self.turned_away:
            parts.append(f"{self.turned_away} connection(s) closed at once (cap and /ping reserve full)")
        if self.closed_silent:
            parts.append(f"{self.closed_silent} connection(s) closed that sent nothing")
        if parts:
            logger.warning("connections since the last report: %s", "; ".join(parts))
        self.refused.clear()
        self.shed = self.turned_away = self.closed_silent = 0
        self._reported_at = now
