"""Refuse, before loading, a model that cannot fit in this machine's memory.

An out-of-memory kill takes the worker down with no word of why (and the restart loops);
instead the worker fails to load with the model's size, the memory available and the fix.
The size is the weight files' (safetensors, else PyTorch pickles), scaled to float32 when
the checkpoint holds 16-bit weights (CPU workers load float32); without weight files it is
estimated from config.json's shape.
"""

from __future__ import annotations

import json
from pathlib import Path

from sagemaker_hf.toolkit.errors import ModelLoadError

MEMINFO = Path("/proc/meminfo")
# Loading needs the weights plus the framework's buffers and a first forward pass.
HEADROOM = 1.2
GIB = 1024**3
WEIGHT_PATTERNS = ("*.safetensors", "*pytorch_model*.bin", "*.pt", "*.pth")
HALF_DTYPES = {"float16", "bfloat16", "torch.float16", "torch.bfloat16"}


def available_bytes(meminfo: Path = MEMINFO) -> int | None:
    """MemAvailable from /proc/meminfo, in bytes (None where there is no such file)."""
    try:
        text = meminfo.read_text(encoding="ascii")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return None


def _config(model_dir: Path) -> dict:
    path = model_dir / "config.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _estimated_parameters(config: dict) -> int:
    """A decoder's parameters from its shape: embeddings plus 12 x hidden^2 per layer."""
    text = config.get("text_config") if isinstance(config.get("text_config"), dict) else config
    hidden = text.get("hidden_size") or text.get("n_embd") or text.get("d_model") or 0
    layers = text.get("num_hidden_layers") or text.get("n_layer") or text.get("num_layers") or 0
    vocab = text.get("vocab_size") or 0
    return int(vocab * hidden + 12 * layers * hidden * hidden)


def model_bytes(model_dir: Path) -> int:
    """The memory the model's weights take once loaded as float32, in bytes."""
    config = _config(model_dir)
    files = {path for pattern in WEIGHT_PATTERNS for path in model_dir.glob(pattern)}
    safetensors = {path for path in files if path.suffix == ".safetensors"}
    weights = sum(path.stat().st_size for path in (safetensors or files))
    if not weights:
        return 4 * _estimated_parameters(config)
    dtype = str(config.get("torch_dtype") or config.get("dtype") or "float32")
    return weights * 2 if dtype in HALF_DTYPES else weights


def check_fits(model_dir: Path, available: int | None = None) -> None:
    """Raise ModelLoadError when the model needs more memory than is available."""
    available = available_bytes() if available is None else available
    if available is None:
        return
    needed = int(model_bytes(model_dir) * HEADROOM)
    if needed > available:
        raise ModelLoadError(
            f"the model in {model_dir} needs about {needed / GIB:.1f} GiB of memory to load (its weights "
            f"as float32, plus {HEADROOM - 1:.0%}), but only {available / GIB:.1f} GiB is available on this "
            "machine (MemAvailable). Serve a smaller model here (a small causal LM or encoder), or deploy "
            'this one to a GPU instance on SageMaker (such as instance_type="ml.g5.2xlarge")'
        )
