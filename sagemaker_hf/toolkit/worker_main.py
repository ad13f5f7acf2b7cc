"""The body of a model worker process (started with the ``spawn`` context by :mod:`workers`).

It loads the user code and the model, reports :class:`~protocol.Ready` (or
:class:`~protocol.LoadFailed`), then answers :class:`~protocol.Invoke` messages until it
gets :class:`~protocol.Stop` or its pipe closes (the front process is gone). No request
can end it: every failure becomes a :class:`~protocol.Failure` reply.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path

from sagemaker_hf.toolkit import protocol
from sagemaker_hf.toolkit.errors import ModelError, ModelLoadError, ToolkitError
from sagemaker_hf.toolkit.logs import configure_logging
from sagemaker_hf.toolkit.settings import Settings

logger = logging.getLogger(__name__)

_NVIDIA_GPUS = Path("/proc/driver/nvidia/gpus")


def gpu_for_worker(index: int) -> int | None:
    """This worker's GPU (workers take GPUs round-robin), or None without a GPU.

    torch is imported only when the machine has an NVIDIA driver, so CPU workers whose
    user code never needs torch start quickly.
    """
    if not _NVIDIA_GPUS.is_dir():
        return None
    import torch

    if not torch.cuda.is_available() or torch.cuda.device_count() == 0:
        return None
    return index % torch.cuda.device_count()


def _limit_threads(settings: Settings) -> None:
    # Workers share the cores; torch's default (all cores per process) makes them thrash.
    if "torch" not in sys.modules:
        return
    import torch

    threads = settings.omp_num_threads or max(1, (os.cpu_count() or 1) // settings.workers)
    torch.set_num_threads(threads)


def load(settings: Settings, model_dir: Path, index: int):  # -> tuple[Handler, Capabilities]
    from sagemaker_hf.toolkit.handler import Handler
    from sagemaker_hf.toolkit.user_code import find_user_module, load_hooks, make_context

    started = time.perf_counter()
    gpu_id = gpu_for_worker(index)
    device = "cpu" if gpu_id is None else f"cuda:{gpu_id}"
    module = find_user_module(
        settings.code_dir(), settings.program_name, explicit=settings.program is not None
    )
    hooks = load_hooks(module)
    handler = Handler(settings, model_dir, hooks, make_context(model_dir, gpu_id, index), device)
    handler.setup()
    _limit_threads(settings)
    capabilities = protocol.Capabilities(
        pid=os.getpid(),
        task=handler.task,
        accepts_csv=handler.accepts_csv,
        batchable=handler.batchable,
        reads_input=hooks.reads_input,
        writes_output=hooks.writes_output,
        hooks=tuple(hooks.names),
        gpu_id=gpu_id,
        load_seconds=time.perf_counter() - started,
    )
    return handler, capabilities


def _answer(handler, request: protocol.Request) -> protocol.Reply | protocol.Failure:
    try:
        result = handler.handle(request.body, request.content_type, request.accept)
        return protocol.Reply(request.request_id, result.body, result.content_type, result.timings)
    except ToolkitError as error:
        return protocol.Failure(request.request_id, error.type, error.message)
    except (Exception, SystemExit) as error:
        logger.exception("request %d failed", request.request_id)
        return protocol.Failure(
            request.request_id, ModelError.__name__, f"unexpected {type(error).__name__}: {error}"
        )


def run_worker(connection: Connection, settings: Settings, model_dir: str, index: int) -> None:
    """Entry point of worker ``index``; ``connection`` is its end of the pipe to the front."""
    # The front decides when workers stop (it drains requests first), so they ignore the
    # signals a terminal or a process group would deliver to every process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    configure_logging(settings)
    try:
        handler, capabilities = load(settings, Path(model_dir), index)
    except ToolkitError as error:
        logger.error("loading the model failed: %s", error.message)
        connection.send(protocol.LoadFailed(ModelLoadError.__name__, error.message))
        return
    except (Exception, SystemExit) as error:
        logger.exception("loading the model failed")
        connection.send(protocol.LoadFailed(ModelLoadError.__name__, f"{type(error).__name__}: {error}"))
        return
    logger.info("worker %d ready in %.1f s (pid %d)", index, capabilities.load_seconds, capabilities.pid)
    connection.send(protocol.Ready(capabilities))
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if isinstance(message, protocol.Stop):
            return
        if isinstance(message, protocol.Invoke):
            for request in message.requests:
                reply = _answer(handler, request)
                try:
                    connection.send(reply)
                except (OSError, ValueError):
                    return
