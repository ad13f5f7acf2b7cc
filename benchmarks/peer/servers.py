"""The two servers of the side-by-side benchmark, as their users start them, with default settings.

- ours: ``python -m sagemaker_hf.toolkit serve`` from this project's venv, ``HF_TASK`` set.
- the peer: AWS's ``sagemaker-huggingface-inference-toolkit`` under ``multi-model-server``, from
  ``.venv/peer`` (scripts/setup-peer), started as its DLC's entrypoint does, through
  ``peer/launch_aws_toolkit.py``. Its /opt/ml is a folder of the run (``SAGEMAKER_BASE_DIR``),
  and so are MMS's config, logs, temporary files and pid file. For sentence embeddings it gets
  a ``code/inference.py`` with sentence-transformers, as a user would write it: the toolkit has
  no sentence-embeddings task on CPU.

Both get the host's environment without what would change their defaults (the thread and
worker variables; the test harness sets ``OMP_NUM_THREADS=1``), without any ``SAGEMAKER_*``,
``SM_*`` or model variable of the host, and offline. Each leads its own session, so its process
group is its whole tree (see :mod:`peer.tree`), and each listens on 127.0.0.1 only.
"""

from __future__ import annotations

import os
import random
import socket
from dataclasses import dataclass
from pathlib import Path

from sagemaker_hf.local.processes import MODEL_VARIABLES, child_environment, free_port, serve_command

# What the benchmark compares is the servers' defaults, so none of these may reach them.
DEFAULT_CHANGING_VARIABLES = frozenset(
    {
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "OMP_WAIT_POLICY",
        "SAGEMAKER_MODEL_SERVER_WORKERS",
        "TOKENIZERS_PARALLELISM",
    }
)
WITHHELD = MODEL_VARIABLES | DEFAULT_CHANGING_VARIABLES
LAUNCHER = Path(__file__).with_name("launch_aws_toolkit.py")
TASKS = ("sentence-embeddings", "feature-extraction")
OURS = "sagemaker-hf"
PEER = "AWS toolkit 2.6 + MMS"

SENTENCE_TRANSFORMERS_SCRIPT = '''\
"""Sentence embeddings for the AWS toolkit, which has no such task on CPU (written by
benchmarks/peer_aws_toolkit.py): the model's sentence-transformers modules, as a user would."""

from sentence_transformers import SentenceTransformer


def model_fn(model_dir):
    return SentenceTransformer(model_dir, device="cpu")


def predict_fn(data, model):
    return {"embeddings": model.encode(data["inputs"]).tolist()}
'''


@dataclass(frozen=True)
class ServerSpec:
    """How to start one server: its command, environment and folders."""

    name: str  # OURS or PEER
    task: str
    command: list[str]
    env: dict[str, str]
    cwd: Path
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _base_environment(own: dict[str, str]) -> dict[str, str]:
    return child_environment({"HF_HUB_OFFLINE": "1", **own}, gpu=False, withheld=WITHHELD)


def ours(task: str, model_dir: Path, run_dir: Path) -> ServerSpec:
    folder = run_dir / f"ours-{task}"
    (folder / "tmp").mkdir(parents=True)
    port = free_port()
    env = _base_environment({"HF_TASK": task, "TMPDIR": str(folder / "tmp")})
    return ServerSpec(OURS, task, serve_command(port, model_dir), env, folder, port, folder / "server.log")


def peer(task: str, model_dir: Path, run_dir: Path, peer_python: Path) -> ServerSpec:
    folder = run_dir / f"peer-{task}"
    temporary, logs, base = folder / "tmp", folder / "logs", folder / "ml"
    for directory in (temporary, logs, base):
        directory.mkdir(parents=True)
    peer_model_dir(task, model_dir, base / "model")
    port = free_port_below_32767()
    address = f"http://127.0.0.1:{port}"
    own = {
        "SAGEMAKER_BASE_DIR": str(base),
        "SAGEMAKER_BIND_TO_PORT": str(port),
        # MMS reads these over the config file's 0.0.0.0 (enable_envvars_config=true there).
        "MMS_INFERENCE_ADDRESS": address,
        "MMS_MANAGEMENT_ADDRESS": address,
        "TEMP": str(temporary),  # MMS's Java frontend: -Djava.io.tmpdir, the workers' sockets
        "TMPDIR": str(temporary),  # Python's tempfile: MMS's pid file, torch's caches
        "LOG_LOCATION": str(logs),
        "METRICS_LOCATION": str(logs),
    }
    if task == "feature-extraction":
        own["HF_TASK"] = task
    env = _base_environment(own)
    env.pop("PYTHONPATH", None)  # child_environment puts this project first; the peer runs alone
    env.pop("VIRTUAL_ENV", None)
    # The toolkit starts `multi-model-server` by name, as the DLC has it on PATH.
    env["PATH"] = os.pathsep.join([str(peer_python.parent), env.get("PATH", "")])
    command = [str(peer_python), str(LAUNCHER), str(folder / "sagemaker-mms.properties")]
    return ServerSpec(PEER, task, command, env, folder, port, folder / "server.log")


def free_port_below_32767() -> int:
    """A free TCP port of 127.0.0.1 that MMS accepts: its frontend refuses ports from 32767 up
    ("Invalid port number"), where the kernel's ephemeral range, and so free_port(), begins."""
    chooser = random.Random()
    for _ in range(200):
        port = chooser.randrange(20000, 32767)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free TCP port between 20000 and 32766 on 127.0.0.1")


def peer_model_dir(task: str, model_dir: Path, target: Path) -> None:
    """The peer's /opt/ml/model: the model's files (linked, not copied), plus code/inference.py
    for sentence embeddings."""
    if task != "sentence-embeddings":
        target.symlink_to(model_dir.resolve(), target_is_directory=True)
        return
    target.mkdir()
    for entry in model_dir.iterdir():
        if entry.name != "code":
            (target / entry.name).symlink_to(entry.resolve())
    (target / "code").mkdir()
    (target / "code" / "inference.py").write_text(SENTENCE_TRANSFORMERS_SCRIPT)
