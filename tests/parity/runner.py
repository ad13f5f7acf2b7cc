"""Run every parity scenario against one SDK and write what happened as JSON.

    python tests/parity/runner.py v2 OUT.json     (in .venv/sdkv2: SDK v2 is the oracle)
    python tests/parity/runner.py hf OUT.json     (in .venv: sagemaker-hf)
    ... [NAME ...]                                (only these scenarios)

One process per side runs all scenarios, so the SDK's import is paid once. Before
anything imports boto3 the environment is made hermetic: fake credentials, no AWS config
files, sockets refused (nothing goes on the wire), ``time.sleep`` returning at once (the
fake's resources are ready at the first look), and every botocore client answered by
the in-memory fake (``fake_aws.install``). Each scenario then gets a fresh fake, a fresh
working folder and a 60 s alarm. Standard library and botocore only.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PARITY = Path(__file__).resolve().parent
SCENARIO_SECONDS = 60


class ScenarioTimeout(BaseException):
    """A scenario ran past its alarm (a BaseException, so no SDK ``except Exception`` eats it)."""


def hermetic_environment(home: Path) -> None:
    for name in [n for n in os.environ if n.startswith(("AWS_", "SAGEMAKER_"))]:
        del os.environ[name]
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "parity",
            "AWS_SECRET_ACCESS_KEY": "parity",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            "SAGEMAKER_SUPPRESS_V2_WARNING": "1",
            "SAGEMAKER_HF_LOCAL_HOME": str(home / "local"),
            "HOME": str(home / "home"),
            "TMPDIR": str(home / "tmp"),
            "HF_HUB_OFFLINE": "1",
            "OMP_NUM_THREADS": "1",
        }
    )
    for folder in ("home", "tmp", "work", "local"):
        (home / folder).mkdir(parents=True, exist_ok=True)
    tempfile.tempdir = str(home / "tmp")

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OSError("the parity runner allows no network access")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse  # type: ignore[assignment]
    time.sleep = fast_sleep  # type: ignore[assignment]
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")


def share_botocore_data() -> None:
    """One botocore data loader for the whole process, and each JSON data file parsed once.

    Both SDKs make many boto3 sessions (v2 one per ``Session()`` and per endpoint lookup),
    and each new session's loader listed and parsed the service models again: that was most
    of the run. botocore treats loaded data as read-only, so sharing it changes no request.
    """
    import botocore.loaders
    import botocore.session

    parsed: dict[str, Any] = {}
    original = botocore.loaders.JSONFileLoader.load_file

    def load_file(self: Any, file_path: str) -> Any:
        if file_path not in parsed:
            parsed[file_path] = original(self, file_path)
        return parsed[file_path]

    botocore.loaders.JSONFileLoader.load_file = load_file  # type: ignore[method-assign]
    shared_loader = botocore.loaders.create_loader()

    def register_data_loader(self: Any) -> None:
        self._components.lazy_register_component("data_loader", lambda: shared_loader)

    botocore.session.Session._register_data_loader = register_data_loader  # type: ignore[method-assign]


_real_sleep = time.sleep


def fast_sleep(seconds: float) -> None:
    """Waits that take no time, in an order that still follows the delays asked for.

    The main thread's polls return at once (only yielding to other threads). A helper
    thread sleeps a tenth of what it asked, at most 0.1 s: SDK v2 races two S3 waiters in
    threads (for the output and the failure object of an async inference), and without
    sleeps the one that polls a missing object could give up before the other one's
    first look, even though that object is already there.
    """
    if threading.current_thread() is threading.main_thread():
        _real_sleep(0)
    else:
        _real_sleep(min(seconds / 10, 0.1))


class Holder:
    """Which fake answers: the runner swaps in a new one for each scenario."""

    current: Any = None


def describe_exception(error: BaseException, normalise: Any) -> dict[str, Any]:
    """An exception as a v2 user's ``except`` clauses see it."""
    catches = sorted(
        f"{cls.__module__}.{cls.__qualname__}" if cls.__module__ != "builtins" else cls.__qualname__
        for cls in type(error).__mro__
        if cls.__module__ == "builtins" or cls.__module__.startswith("botocore.")
        if cls not in (object, BaseException, Exception)
    )
    described = {
        "type": f"{type(error).__module__}.{type(error).__qualname__}",
        "catches": catches,
        "message": normalise(str(error))[:600],
    }
    response = getattr(error, "response", None)
    if isinstance(response, dict) and "Error" in response:
        described["code"] = response["Error"].get("Code")
    return described


@contextlib.contextmanager
def quiet(log: Path) -> Iterator[None]:
    """Send the scenario's output, and its subprocesses' (git), to ``log``, not the terminal."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with open(log, "a") as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


def run_scenario(name: str, func: Any, holder: Holder, home: Path) -> dict[str, Any]:
    from tests.parity.fake_aws import FakeAWS
    from tests.parity.normalise import Normaliser
    from tests.parity.scenario import Case

    work = home / "work" / name
    work.mkdir()
    os.chdir(work)
    holder.current = aws = FakeAWS()
    case = Case(aws, work)
    normalise = Normaliser(str(work), str(home / "tmp"))
    exception = None
    started = time.perf_counter()
    signal.alarm(SCENARIO_SECONDS)
    try:
        with quiet(home / "output.log"):
            func(case)
    except ScenarioTimeout as error:
        exception = describe_exception(error, normalise)
    except Exception as error:
        exception = describe_exception(error, normalise)
        exception["traceback"] = normalise("".join(traceback.format_exception(error))[-3000:])
    finally:
        signal.alarm(0)
        os.chdir(home)
    return {
        "calls": [
            {"service": call.service, "operation": call.operation, "params": normalise(call.params)}
            for call in aws.calls
        ],
        "exception": exception,
        "results": normalise(case.results),
        "unimplemented": sorted(set(aws.unimplemented)),
        "seconds": round(time.perf_counter() - started, 3),
    }


def run_side(side: str, home: Path, only: list[str]) -> dict[str, Any]:
    hermetic_environment(home)
    sys.path[0] = str(ROOT)  # the repository, not this folder: scenarios import tests.parity.*

    def alarm(signum: int, frame: Any) -> None:
        raise ScenarioTimeout(f"the scenario ran longer than {SCENARIO_SECONDS} s")

    signal.signal(signal.SIGALRM, alarm)
    from tests.parity import fake_aws
    from tests.parity.scenario import SCENARIOS, load_import_block

    share_botocore_data()
    holder = Holder()
    holder.current = fake_aws.FakeAWS()
    fake_aws.install(holder)
    started = time.perf_counter()
    sdk, import_errors = load_import_block(PARITY / f"imports_{side}.py")
    import_seconds = time.perf_counter() - started
    for path in sorted((PARITY / "scenarios").glob("*.py")):
        if path.stem != "__init__":
            __import__(f"tests.parity.scenarios.{path.stem}")
    return {
        "side": side,
        "python": sys.executable,
        "version": getattr(sdk.sagemaker, "__version__", "?"),
        "import_errors": import_errors,
        "import_seconds": round(import_seconds, 2),
        "scenarios": {
            name: run_scenario(name, func, holder, home)
            for name, func in SCENARIOS.items()
            if not only or name in only
        },
    }


def main(argv: list[str]) -> int:
    side, output_path, *only = argv
    if side not in ("v2", "hf"):
        print(f"usage: runner.py v2|hf OUT.json [NAME ...] (got side {side!r})", file=sys.stderr)
        return 2
    output = Path(output_path).resolve()  # scenarios change the working directory
    home = Path(tempfile.mkdtemp(prefix=f"parity-{side}-"))
    try:
        record = run_side(side, home, only)
    finally:
        os.chdir(ROOT)
        shutil.rmtree(home, ignore_errors=True)
    output.write_text(json.dumps(record, indent=1, sort_keys=True, default=repr))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
