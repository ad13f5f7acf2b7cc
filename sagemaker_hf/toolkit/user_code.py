"""User code: ``code/inference.py`` hooks, their signatures, and ``code/requirements.txt``.

A hook may take a trailing ``context`` argument. Whether it does is read from its
signature: a parameter named ``context`` (or ``ctx``), or one more *required* positional
parameter than the toolkit's arguments. Optional extra parameters with other names,
``*args`` and ``**kwargs`` do not receive the context, so ``def predict_fn(data, model,
*args)`` and ``def output_fn(prediction, accept, indent=2)`` keep working.

Batching is opt-in for user code: a ``predict_batch_fn(data_list, model)`` receives the
decoded inputs of several requests (a list, which holds one item when a request comes
alone) and returns one prediction per input, in order. When it is defined the server
batches concurrent requests and calls it instead of ``predict_fn`` (which may stay, so the
same script still runs on the AWS toolkit). Requests whose ``parameters`` differ never
share a call.
"""

from __future__ import annotations

import collections
import importlib.util
import inspect
import logging
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sagemaker_hf.container.requirements import check_references, has_requirements
from sagemaker_hf.errors import UnsafeRequirementsError
from sagemaker_hf.toolkit.errors import ModelError, ModelLoadError, ToolkitError
from sagemaker_hf.toolkit.logs import redact

logger = logging.getLogger(__name__)

# hook name -> the arguments the toolkit passes, before the optional context
HOOK_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "model_fn": ("model_dir",),
    "input_fn": ("input_data", "content_type"),
    "predict_fn": ("data", "model"),
    "predict_batch_fn": ("data_list", "model"),
    "output_fn": ("prediction", "accept"),
    "transform_fn": ("model", "input_data", "content_type", "accept"),
}
CONTEXT_NAMES = frozenset({"context", "ctx"})
_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


@dataclass(frozen=True)
class Context:
    """What a hook's ``context`` argument holds (the attribute names MMS's context has).

    ``system_properties["gpu_id"]`` is this worker's GPU index, or ``None`` on CPU, so
    each worker can place its model copy (``f"cuda:{gpu_id}"``).
    """

    system_properties: dict[str, Any]
    model_name: str = "model"
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def gpu_id(self) -> int | None:
        return self.system_properties.get("gpu_id")

    @property
    def model_dir(self) -> str:
        return self.system_properties["model_dir"]


def make_context(model_dir: Path, gpu_id: int | None, worker_index: int, batch_size: int = 1) -> Context:
    """``batch_size`` is the most inputs one ``predict_batch_fn`` call receives (1 without batching)."""
    from sagemaker_hf import __version__

    return Context(
        system_properties={
            "model_dir": str(model_dir),
            "gpu_id": gpu_id,
            "batch_size": batch_size,
            "worker_index": worker_index,
            "server_name": "sagemaker-hf",
            "server_version": __version__,
        }
    )


@dataclass(frozen=True)
class Hook:
    """A user function and how to pass it the context."""

    name: str
    function: Callable[..., Any]
    context_mode: str  # "none", "positional" or "keyword"

    def __call__(self, *arguments: Any, context: Context) -> Any:
        try:
            if self.context_mode == "positional":
                return self.function(*arguments, context)
            if self.context_mode == "keyword":
                return self.function(*arguments, context=context)
            return self.function(*arguments)
        except ToolkitError:
            raise
        except (Exception, SystemExit) as error:  # a hook calling sys.exit() must not end the worker
            logger.exception("%s raised", self.name)
            raise ModelError(f"{self.name} in user code raised {type(error).__name__}: {error}") from error


def context_mode(name: str, function: Callable[..., Any]) -> str:
    """How ``function`` takes the context; :class:`ModelLoadError` if it cannot take the arguments."""
    expected = HOOK_ARGUMENTS[name]
    call = f"{name}({', '.join(expected)}[, context])"
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return "none"
    parameters = list(signature.parameters.values())
    positional = [p for p in parameters if p.kind in _POSITIONAL]
    required = [p for p in positional if p.default is inspect.Parameter.empty]
    has_varargs = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters)
    required_keyword = [
        p
        for p in parameters
        if p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is inspect.Parameter.empty
    ]
    mode = "none"
    if len(positional) > len(expected) and (
        positional[len(expected)].name in CONTEXT_NAMES or len(required) > len(expected)
    ):
        mode = "positional"
    elif any(p.kind is inspect.Parameter.KEYWORD_ONLY and p.name in CONTEXT_NAMES for p in parameters):
        mode = "keyword"
    takes = len(expected) + (mode == "positional")
    problems = []
    if len(required) > takes:
        problems.append(f"it requires {len(required)} positional arguments")
    if len(positional) < len(expected) and not has_varargs:
        problems.append(f"it accepts only {len(positional)} positional arguments")
    unexpected = [p.name for p in required_keyword if not (mode == "keyword" and p.name in CONTEXT_NAMES)]
    if unexpected:
        problems.append(f"it requires the keyword-only arguments {', '.join(unexpected)}")
    if problems:
        raise ModelLoadError(
            f"{name}{signature} in user code cannot be called: {'; '.join(problems)}. "
            f"The toolkit calls {call}"
        )
    return mode


@dataclass(frozen=True)
class UserHooks:
    """The hooks found in the user module; a missing hook is None and the default step runs."""

    module_path: Path | None = None
    model_fn: Hook | None = None
    input_fn: Hook | None = None
    predict_fn: Hook | None = None
    predict_batch_fn: Hook | None = None
    output_fn: Hook | None = None
    transform_fn: Hook | None = None

    @property
    def names(self) -> list[str]:
        return [name for name in HOOK_ARGUMENTS if getattr(self, name) is not None]

    @property
    def reads_input(self) -> bool:
        return self.input_fn is not None or self.transform_fn is not None

    @property
    def writes_output(self) -> bool:
        return self.output_fn is not None or self.transform_fn is not None


def find_user_module(code_dir: Path, program: str, *, explicit: bool) -> Path | None:
    """The user module's path, or None when there is none (and none was asked for)."""
    path = code_dir / program
    if path.is_file():
        return path
    if explicit:
        raise ModelLoadError(
            f"SAGEMAKER_PROGRAM={program} but {path} does not exist; put the script in the code directory "
            f"({code_dir}) or unset SAGEMAKER_PROGRAM"
        )
    return None


def load_hooks(path: Path | None) -> UserHooks:
    """Import the user module (its folder first on ``sys.path``) and collect its hooks."""
    if path is None:
        return UserHooks()
    from sagemaker_hf.toolkit.compat import install_alias

    install_alias()
    code_dir = str(path.parent)
    if code_dir not in sys.path:
        sys.path.insert(0, code_dir)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ModelLoadError(f"{path} cannot be imported as a Python module; name it inference.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        logger.exception("importing %s failed", path)
        raise ModelLoadError(f"importing {path} failed with {type(error).__name__}: {error}") from error
    found = {}
    for name in HOOK_ARGUMENTS:
        function = getattr(module, name, None)
        if function is None:
            continue
        if not callable(function):
            raise ModelLoadError(f"{path}: {name} is a {type(function).__name__}, not a function")
        found[name] = Hook(name, function, context_mode(name, function))
    if "transform_fn" in found:
        mixed = [
            name for name in ("input_fn", "predict_fn", "predict_batch_fn", "output_fn") if name in found
        ]
        if mixed:
            raise ModelLoadError(
                f"{path} defines transform_fn together with {', '.join(mixed)}; transform_fn replaces "
                "input_fn, predict_fn and output_fn, so keep either transform_fn or the others"
            )
    logger.info("user code %s defines %s", path, ", ".join(found) or "no hooks")
    if "predict_batch_fn" in found and "predict_fn" in found:
        logger.info("predict_batch_fn answers every request here; predict_fn is kept for other servers")
    return UserHooks(module_path=path, **found)


def install_requirements(
    path: Path, *, keep_lines: int = 20, on_start: Callable[[Any], None] | None = None
) -> None:
    """``pip install -r path`` into the running environment, streaming pip's output to the log.

    Plain pip (never a shell), so ``PIP_INDEX_URL``, ``PIP_EXTRA_INDEX_URL`` and pip.conf
    apply. A file with only comments is skipped. Raises :class:`ModelLoadError` with
    pip's last lines when the install fails. ``on_start`` receives the pip process, so
    a shutdown can stop it.
    """
    if not path.is_file():
        return
    if not has_requirements(path):
        logger.info("%s lists no packages; nothing to install", path)
        return
    try:
        check_references(path)
    except UnsafeRequirementsError as error:
        raise ModelLoadError(str(error)) from None
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--no-input",
        "-r",
        str(path),
    ]
    logger.info("installing %s: %s", path, " ".join(command))
    last_lines: collections.deque[str] = collections.deque(maxlen=keep_lines)
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
    ) as process:
        if on_start is not None:
            on_start(process)
        assert process.stdout is not None
        for line in process.stdout:
            line = line.rstrip()
            if line:
                last_lines.append(line)
                logger.info("pip: %s", line)
        code = process.wait()
    if code != 0:
        tail = redact("\n".join(last_lines))  # pip echoes lines it could not read, expanded
        raise ModelLoadError(
            f"installing {path} failed (pip exit code {code}); fix the file and redeploy. pip said:\n{tail}"
        )
    logger.info("installed %s", path)
