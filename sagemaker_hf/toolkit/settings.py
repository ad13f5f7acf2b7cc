"""Every setting of the toolkit, in one pydantic model.

This is the only module of the toolkit that reads environment variables. Command-line
flags override them. A value that does not parse stops the server at start with a
message that names the variable (or flag) and the value.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from sagemaker_hf.toolkit.errors import SettingsError

# field -> environment variables, first one set wins
ENVIRONMENT: dict[str, tuple[str, ...]] = {
    "model_dir": ("SM_MODEL_DIR",),
    "hf_model_id": ("HF_MODEL_ID",),
    "hf_model_revision": ("HF_MODEL_REVISION",),
    "hf_token": ("HF_API_TOKEN", "HF_TOKEN"),
    "hf_task": ("HF_TASK",),
    "trust_remote_code": ("HF_TRUST_REMOTE_CODE",),
    "program": ("SAGEMAKER_PROGRAM",),
    "submit_directory": ("SAGEMAKER_SUBMIT_DIRECTORY",),
    "workers": ("SAGEMAKER_MODEL_SERVER_WORKERS",),
    "omp_wait_policy": ("OMP_WAIT_POLICY",),
    "timeout": ("SAGEMAKER_MODEL_SERVER_TIMEOUT",),
    "max_payload_mb": ("SAGEMAKER_MAX_PAYLOAD_IN_MB",),
    "port": ("SAGEMAKER_BIND_TO_PORT",),
    "log_level": ("SAGEMAKER_CONTAINER_LOG_LEVEL",),
    "max_batch_size": ("SAGEMAKER_HF_MAX_BATCH_SIZE",),
    "max_batch_delay_ms": ("SAGEMAKER_HF_MAX_BATCH_DELAY_MS",),
    "max_queue_size": ("SAGEMAKER_HF_MAX_QUEUE_SIZE",),
    "max_header_bytes": ("SAGEMAKER_HF_MAX_HEADER_BYTES",),
    "max_header_count": ("SAGEMAKER_HF_MAX_HEADER_COUNT",),
    "header_timeout": ("SAGEMAKER_HF_HEADER_TIMEOUT",),
    "body_timeout": ("SAGEMAKER_HF_BODY_TIMEOUT",),
    "keep_alive_timeout": ("SAGEMAKER_HF_KEEP_ALIVE_TIMEOUT",),
    "max_connections": ("SAGEMAKER_HF_MAX_CONNECTIONS",),
    "omp_num_threads": ("OMP_NUM_THREADS",),
    "lanes": ("SAGEMAKER_HF_LANES",),
    "api": ("SAGEMAKER_HF_SERVING_API",),
    "max_input_tokens": ("MAX_INPUT_TOKENS", "MAX_INPUT_LENGTH"),
    "max_total_tokens": ("MAX_TOTAL_TOKENS",),
}

# Set on the LLM images (TGI and its kin) for GPUs and kernels this process does not have:
# accepted so that their endpoints start here too, and named in the log as having no effect.
IGNORED_LLM_VARIABLES = (
    "SM_NUM_GPUS",
    "NUM_SHARD",
    "MAX_BATCH_PREFILL_TOKENS",
    "MAX_BATCH_TOTAL_TOKENS",
    "MAX_CONCURRENT_REQUESTS",
    "HF_MODEL_QUANTIZE",
    "QUANTIZE",
    "DTYPE",
    "MESSAGES_API_ENABLED",
    "CUDA_GRAPHS",
    "TENSOR_PARALLEL_SIZE",
    "OPTION_TENSOR_PARALLEL_DEGREE",
)

# field -> command-line flag of `serve`
FLAGS: dict[str, str] = {
    "model_dir": "--model-dir",
    "port": "--port",
    "host": "--host",
    "workers": "--workers",
    "timeout": "--timeout",
    "max_payload_mb": "--max-payload-mb",
    "hf_task": "--task",
    "log_level": "--log-level",
    "max_batch_size": "--max-batch-size",
    "max_batch_delay_ms": "--max-batch-delay-ms",
    "max_queue_size": "--max-queue-size",
    "api": "--api",
}

_NVIDIA_GPUS = Path("/proc/driver/nvidia/gpus")

# Batching defaults, measured with benchmarks/serving.py (32 clients, 2 CPU cores): batches
# of 32 (one forward pass of the task adapters) served 2-13% more than 16 and 20-30% more
# than 8, at an equal or lower p99. A fixed delay added its full length to every lone request
# (+2 ms at 2 ms) and no throughput, so by default there is none: a worker waits only to be
# refilled by the clients it has just answered (toolkit/batching.py, Refill).
DEFAULT_MAX_BATCH_SIZE = 32
# Queued requests allowed per worker, in full batches, beyond which the server answers 503.
QUEUED_BATCHES_PER_WORKER = 4
MIN_QUEUE_PER_WORKER = 128

# Transport limits (toolkit/transport.py), chosen as the common servers choose them. The head:
# nginx reads up to 4 x 8 KB, h11 16 KB, Apache and Tomcat take 100 header fields; SageMaker
# forwards a handful of headers (its custom attributes are at most 1 KB). Timeouts: a real
# client sends its head in one write; nginx waits 60 s for a head and 60 s between body reads.
# Keep-alive longer than the 60 s idle timeout of AWS load balancers, so a client that keeps its
# connections alive (SageMaker's front does) closes an idle one first, never us as it reuses it.
DEFAULT_MAX_HEADER_BYTES = 32 * 1024
DEFAULT_MAX_HEADER_COUNT = 100
DEFAULT_HEADER_TIMEOUT = 30.0
DEFAULT_BODY_TIMEOUT = 30.0
DEFAULT_KEEP_ALIVE_TIMEOUT = 75.0
DEFAULT_MAX_CONNECTIONS = 1000


def gpu_count() -> int:
    """NVIDIA GPUs on this machine, read from the driver without importing torch."""
    if not _NVIDIA_GPUS.is_dir():
        return 0
    return sum(1 for entry in _NVIDIA_GPUS.iterdir() if entry.is_dir())


def default_workers() -> int:
    """One worker per GPU; on CPU one worker, one copy of the model whatever its size, whose
    threads use the cores (see :func:`default_threads`)."""
    return max(1, gpu_count())


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# Thread defaults, measured with benchmarks/serving_defaults.py on all-MiniLM-L6-v2 (2 cores,
# feature-extraction / sentence-embeddings, 32 clients, idle and with one busy process per core;
# interleaved runs, medians). One worker with every core as a torch thread and OpenMP's default
# waiting collapsed when the cores were shared: 37 / 43 req/s, 32-client p99 1.8 s, against
# 153 / 184 req/s and 385 / 248 ms with OMP_WAIT_POLICY=PASSIVE (idle OpenMP threads spin for the
# next parallel region on the cores the front, the clients and the neighbours need). Passive
# waiting costs an idle machine ~5 ms per sequential request (p50 16.3 / 13.9 against 12.3 /
# 8.3 ms; each region wakes its threads) and 13% of sentence-embeddings' throughput. Spinning a
# little (GOMP_SPINCOUNT=10000) won that back idle (9.4 / 7.5 ms) but doubled the sequential p50
# of sentence-embeddings under contention in one run, and 100000 spins collapsed again (37 req/s):
# the cliff is too near for a default. On a busier host (load 5-8), cores - 1 threads (one here,
# the front keeping a core) served no more than every core under contention (79 / 107 against
# 74 / 107 req/s) and 11-30% less idle; two one-thread workers served less than one worker's
# batches and doubled the memory (960 MiB). So: every core, passive waiting, and one inter-op
# thread (a worker runs one model call at a time and forks no inter-op work). These are the most
# threads a call gets: cpu_share.py gives a batch only the cores no other process holds
# steadily, and one thread to a call on one short request. Side by side with AWS's toolkit
# (benchmarks/peer_aws_toolkit.py, ours only, one run each) that took the sequential p50 from
# 12.5 / 14.0 ms to 9.6 / 11.1 ms idle (sentence-embeddings / feature-extraction) and 32-client
# throughput under contention from 175 / 115 to 224 / 140 req/s; fitting to every runnable task
# (the front and the benchmark's client included) cost 17% of the idle throughput, so the
# worker's own front is not counted as a neighbour.
# Since then: sentence-embeddings, sentence-similarity and feature-extraction run one lane per
# core, each on one thread (lanes.py): 348 against 299 req/s idle for sentence-embeddings, and
# about the same with shared cores.
DEFAULT_INTEROP_THREADS = 1
DEFAULT_WAIT_POLICY = "PASSIVE"


def default_threads(cores: int, workers: int) -> int:
    """torch threads per worker when OMP_NUM_THREADS is not set: the cores shared out so that
    workers x threads <= cores, and at least one."""
    return max(1, cores // workers)


class Settings(BaseModel):
    """What ``serve`` runs with. Build it with :func:`load_settings`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model_dir: Path = Field(Path("/opt/ml/model"), description="model directory (model.tar.gz extracted)")
    hf_model_id: str | None = Field(None, description="Hub model to download at start instead")
    hf_model_revision: str | None = Field(None, description="Hub branch, tag or commit (default: main)")
    hf_token: SecretStr | None = Field(None, description="Hub token; never logged or written")
    hf_task: str | None = Field(None, description="pipeline task; inferred from config.json when unset")
    trust_remote_code: bool = False
    program: str | None = Field(None, description="user module in the code directory (inference.py)")
    submit_directory: str | None = Field(None, description="user code directory (<model dir>/code)")
    workers: int = Field(
        default_factory=default_workers,
        ge=1,
        le=64,
        description="model worker processes (one per GPU, else 1)",
    )
    timeout: float = Field(60, gt=0, description="seconds a request may take")
    max_payload_mb: int = Field(6, ge=1, le=100_000, description="largest request body, in MB")
    host: str = "0.0.0.0"
    port: int = Field(8080, ge=1, le=65535)
    log_level: int = logging.INFO
    max_batch_size: int = Field(
        DEFAULT_MAX_BATCH_SIZE, ge=1, le=1024, description="requests per model call; 1 turns batching off"
    )
    max_batch_delay_ms: float | None = Field(
        None,
        ge=0,
        le=10_000,
        description="longest wait for more requests to fill a batch (unset: refill, see toolkit/batching.py)",
    )
    max_queue_size: int | None = Field(
        None,
        ge=1,
        description="requests that may wait for a worker before 503 (default: from workers and batch)",
    )
    omp_num_threads: int | None = Field(None, ge=1, description="threads per worker, if set by the user")
    lanes: int | None = Field(
        None,
        ge=1,
        le=64,
        description="batches each worker runs at once, on threads of its own (unset: see toolkit/lanes.py)",
    )
    omp_wait_policy: str | None = Field(
        None, pattern="(?i)^(active|passive)$", description="OpenMP wait policy, if set by the user"
    )
    max_header_bytes: int = Field(
        DEFAULT_MAX_HEADER_BYTES,
        ge=1024,
        le=16 * 1024 * 1024,
        description="largest request head (request line and headers), in bytes; more is a 431",
    )
    max_header_count: int = Field(
        DEFAULT_MAX_HEADER_COUNT, ge=8, le=10_000, description="most header fields in a request; more: 431"
    )
    header_timeout: float = Field(
        DEFAULT_HEADER_TIMEOUT,
        gt=0,
        le=3600,
        description="seconds a request's head may take to arrive, from its first byte or the connection",
    )
    body_timeout: float = Field(
        DEFAULT_BODY_TIMEOUT, gt=0, le=3600, description="longest silence, in seconds, while a body arrives"
    )
    keep_alive_timeout: float = Field(
        DEFAULT_KEEP_ALIVE_TIMEOUT,
        gt=0,
        le=3600,
        description="seconds an idle keep-alive connection stays open between requests",
    )
    api: Literal["toolkit", "tgi", "tei", "vllm", "sglang"] = Field(
        "toolkit", description="the API served: the toolkit's, or that of the image family it stands in for"
    )
    max_input_tokens: int | None = Field(None, ge=1, description="LLM APIs: longest prompt, in tokens")
    max_total_tokens: int | None = Field(None, ge=2, description="LLM APIs: prompt + new tokens, at most")
    max_connections: int = Field(
        DEFAULT_MAX_CONNECTIONS,
        ge=1,
        le=1_000_000,
        description="open connections; at the cap the longest-idle one is closed for a new one",
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _parse_log_level(cls, value: Any) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if text.isdigit():
            return int(text)
        level = logging.getLevelName(text.upper())
        if not isinstance(level, int):
            raise ValueError("use a level name (DEBUG, INFO, WARNING, ERROR) or a number such as 20")
        return level

    @field_validator("hf_task", "hf_model_id", "hf_model_revision", "program", "submit_directory")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @property
    def max_payload_bytes(self) -> int:
        return self.max_payload_mb * 1024 * 1024

    @property
    def queue_limit(self) -> int:
        """Requests that may wait for a worker; one more is answered 503 with Retry-After."""
        if self.max_queue_size is not None:
            return self.max_queue_size
        per_worker = max(MIN_QUEUE_PER_WORKER, self.max_batch_size * QUEUED_BATCHES_PER_WORKER)
        return per_worker * self.workers

    @property
    def threads_per_worker(self) -> int:
        """torch threads in each worker: OMP_NUM_THREADS when set, else :func:`default_threads`."""
        return self.omp_num_threads or default_threads(usable_cores(), self.workers)

    def worker_environment(self) -> dict[str, str]:
        """What a worker sets in its environment before torch is imported: the OpenMP runtime
        reads its team size and wait policy once, when torch loads it. A user's values win."""
        return {
            "OMP_NUM_THREADS": str(self.threads_per_worker),
            "OMP_WAIT_POLICY": (self.omp_wait_policy or DEFAULT_WAIT_POLICY).upper(),
        }

    @property
    def program_name(self) -> str:
        return self.program or "inference.py"

    def code_dir(self, logger: logging.Logger | None = None) -> Path:
        """Where ``inference.py`` and ``requirements.txt`` live."""
        if self.submit_directory and "://" not in self.submit_directory:
            return Path(self.submit_directory)
        if self.submit_directory and logger is not None:
            logger.warning(
                "SAGEMAKER_SUBMIT_DIRECTORY=%s is a URI; the toolkit reads user code only from disk, "
                "so it uses %s (package code/ into model.tar.gz)",
                self.submit_directory,
                self.model_dir / "code",
            )
        return self.model_dir / "code"

    def token_value(self) -> str | None:
        return self.hf_token.get_secret_value() if self.hf_token is not None else None


def ignored_llm_variables(environ: Mapping[str, str] | None = None) -> list[str]:
    """The LLM images' GPU variables set in ``environ`` (default ``os.environ``): no effect here."""
    environ = os.environ if environ is None else environ
    return [name for name in IGNORED_LLM_VARIABLES if environ.get(name, "").strip()]


def _describe(field: str, from_flag: bool) -> str:
    if from_flag:
        return FLAGS[field]
    return " / ".join(ENVIRONMENT.get(field, (field,)))


def load_settings(
    environ: Mapping[str, str] | None = None, flags: Mapping[str, Any] | None = None
) -> Settings:
    """Settings from ``environ`` (default ``os.environ``), overridden by ``flags`` (field -> value).

    Empty environment values count as unset. Raises :class:`SettingsError` naming the
    variable or flag and its value.
    """
    environ = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    source: dict[str, str] = {}
    for field, names in ENVIRONMENT.items():
        for name in names:
            value = environ.get(name)
            if value is not None and value.strip():
                raw[field] = value
                source[field] = name
                break
    for field, value in (flags or {}).items():
        if value is not None:
            raw[field] = value
            source[field] = FLAGS[field]
    try:
        return Settings.model_validate(raw)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else "?"
            name = source.get(field, _describe(field, from_flag=False))
            shown = "<hidden>" if field == "hf_token" else repr(raw.get(field))
            message = item["msg"].removeprefix("Value error, ")
            problems.append(f"{name}={shown}: {message}")
        raise SettingsError("invalid setting: " + "; ".join(problems)) from None
