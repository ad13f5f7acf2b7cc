"""The model source: Hub file selection, the download with a local stand-in, layout checks (no server)."""

from __future__ import annotations

import fnmatch
import logging
import shutil
from pathlib import Path

import pytest

from sagemaker_hf.toolkit.errors import ModelLoadError
from sagemaker_hf.toolkit.loading import (
    download_from_hub,
    nested_archive_problem,
    resolve_model_dir,
    select_hub_files,
)
from sagemaker_hf.toolkit.settings import Settings

SECRET = "hf_secret_loading_abcdef123456"

SENTENCE_TRANSFORMERS_REPO = [
    ".gitattributes",
    "1_Pooling/config.json",
    "README.md",
    "config.json",
    "model.safetensors",
    "pytorch_model.bin",
    "tf_model.h5",
    "flax_model.msgpack",
    "rust_model.ot",
    "onnx/model.onnx",
    "onnx/tokenizer.json",
    "openvino/openvino_model.xml",
    "model.tflite",
    "tokenizer.json",
    "vocab.txt",
    "training_args.bin",
]


def test_selection_prefers_safetensors_and_skips_other_runtimes():
    assert select_hub_files(SENTENCE_TRANSFORMERS_REPO) == [
        ".gitattributes",
        "1_Pooling/config.json",
        "README.md",
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "vocab.txt",
        "training_args.bin",
    ]


def test_selection_takes_pytorch_bins_when_there_are_no_safetensors():
    files = [
        "config.json",
        "pytorch_model-00001-of-00002.bin",
        "pytorch_model-00002-of-00002.bin",
        "pytorch_model.bin.index.json",
        "tf_model.h5",
        "model.ckpt.index",
        "weights.tar.gz",
    ]
    assert select_hub_files(files) == [
        "config.json",
        "pytorch_model-00001-of-00002.bin",
        "pytorch_model-00002-of-00002.bin",
        "pytorch_model.bin.index.json",
    ]


def test_selection_drops_bins_in_subfolders_when_safetensors_exist():
    files = [
        "unet/diffusion_pytorch_model.safetensors",
        "unet/diffusion_pytorch_model.bin",
        "unet/config.json",
    ]
    assert select_hub_files(files) == ["unet/diffusion_pytorch_model.safetensors", "unet/config.json"]


class LocalHub:
    """A file-based stand-in for the Hub: repo/revision folders on disk, and a cache folder.

    ``list_files`` and ``download`` take the same keywords as huggingface_hub's
    ``list_repo_files`` and ``snapshot_download``.
    """

    def __init__(self, root: Path, cache: Path):
        self.root, self.cache = root, cache
        self.calls: list[tuple[str, dict]] = []
        self.online = True

    def add(self, repo_id: str, revision: str, files: dict[str, str]) -> None:
        for name, text in files.items():
            path = self.root / repo_id / revision / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)

    def _folder(self, repo_id, revision, token):
        if repo_id.startswith("private/") and token != SECRET:
            raise PermissionError(f"401 for {repo_id}; token {token!r} was refused")
        folder = self.root / repo_id / (revision or "main")
        if not folder.is_dir():
            raise FileNotFoundError(f"no revision {revision!r} of {repo_id}")
        return folder

    def list_files(self, repo_id, *, revision=None, token=None):
        self.calls.append(("list", {"repo_id": repo_id, "revision": revision, "token": token}))
        if not self.online:
            raise ConnectionError("the Hub is unreachable")
        folder = self._folder(repo_id, revision, token)
        return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())

    def download(self, repo_id, *, revision=None, token=None, allow_patterns=None, local_files_only=False):
        self.calls.append(
            (
                "download",
                {
                    "repo_id": repo_id,
                    "revision": revision,
                    "token": token,
                    "allow_patterns": allow_patterns,
                    "local_files_only": local_files_only,
                },
            )
        )
        target = self.cache / repo_id.replace("/", "--") / (revision or "main")
        if local_files_only:
            if not target.is_dir():
                raise FileNotFoundError("not in the cache")
            return str(target)
        folder = self._folder(repo_id, revision, token)
        for path in folder.rglob("*"):
            relative = str(path.relative_to(folder))
            if path.is_file() and any(fnmatch.fnmatch(relative, p) for p in allow_patterns or ["*"]):
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, target / relative)
        return str(target)


@pytest.fixture
def hub(tmp_path):
    hub = LocalHub(tmp_path / "hub", tmp_path / "cache")
    hub.add("org/model", "main", {"config.json": "{}", "model.safetensors": "new", "tf_model.h5": "tf"})
    hub.add(
        "org/model", "v1", {"config.json": "{}", "pytorch_model.bin": "old", "flax_model.msgpack": "flax"}
    )
    hub.add("private/model", "main", {"config.json": "{}", "model.safetensors": "secret weights"})
    return hub


def test_download_lists_and_fetches_at_the_requested_revision(hub):
    settings = Settings(hf_model_id="org/model", hf_model_revision="v1")
    folder = download_from_hub(settings, list_files=hub.list_files, download=hub.download)
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "pytorch_model.bin"]
    assert hub.calls[0] == ("list", {"repo_id": "org/model", "revision": "v1", "token": None})
    assert hub.calls[1][1]["revision"] == "v1"
    assert hub.calls[1][1]["allow_patterns"] == ["config.json", "pytorch_model.bin"]


def test_default_revision_prefers_safetensors(hub):
    folder = resolve_model_dir(
        Settings(hf_model_id="org/model"), list_files=hub.list_files, download=hub.download
    )
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.safetensors"]


def test_without_a_model_id_the_model_dir_is_used(tmp_path):
    assert resolve_model_dir(Settings(model_dir=tmp_path)) == tmp_path


def test_the_token_is_passed_as_an_argument_and_never_logged(hub, caplog, tmp_path):
    settings = Settings(hf_model_id="private/model", hf_token=SECRET)
    with caplog.at_level(logging.DEBUG):
        folder = download_from_hub(settings, list_files=hub.list_files, download=hub.download)
    assert (folder / "model.safetensors").read_text() == "secret weights"
    assert all(call[1]["token"] == SECRET for call in hub.calls)
    assert "private/model" in caplog.text
    assert SECRET not in caplog.text


def test_the_real_hub_functions_take_the_keywords_we_pass():
    import inspect

    import huggingface_hub

    inspect.signature(huggingface_hub.list_repo_files).bind("org/model", revision="v1", token=SECRET)
    download = inspect.signature(huggingface_hub.snapshot_download)
    download.bind("org/model", revision="v1", token=SECRET, allow_patterns=["config.json"])
    download.bind("org/model", revision="v1", token=SECRET, local_files_only=True)


def test_a_refused_token_is_a_load_error_without_the_token(hub, caplog):
    settings = Settings(hf_model_id="private/model", hf_token="hf_wrong_" + SECRET)
    with caplog.at_level(logging.DEBUG), pytest.raises(ModelLoadError) as caught:
        download_from_hub(settings, list_files=hub.list_files, download=hub.download)
    message = caught.value.message
    assert "HF_MODEL_ID=private/model" in message
    assert "set HF_TOKEN for a private or gated model" in message
    assert SECRET not in message
    assert SECRET not in caplog.text


def test_an_offline_restart_reuses_the_cached_snapshot(hub, caplog):
    settings = Settings(hf_model_id="org/model")
    first = download_from_hub(settings, list_files=hub.list_files, download=hub.download)
    hub.online = False
    with caplog.at_level(logging.WARNING):
        second = download_from_hub(settings, list_files=hub.list_files, download=hub.download)
    assert second == first
    assert hub.calls[-1][1]["local_files_only"] is True
    assert "trying the local cache" in caplog.text


def test_offline_without_a_cache_is_a_clear_load_error(hub):
    hub.online = False
    with pytest.raises(ModelLoadError, match="no copy is cached"):
        download_from_hub(Settings(hf_model_id="org/model"), list_files=hub.list_files, download=hub.download)


@pytest.mark.parametrize(
    ("layout", "problem"),
    [
        (["my-model/config.json", "my-model/model.safetensors"], "'my-model/'"),
        (["my-model/config.json", "code/inference.py", ".DS_Store"], "'my-model/'"),
        (["config.json", "model.safetensors"], None),
        (["a/config.json", "b/config.json"], None),
        (["my-model/weights.bin"], None),
        (["my-model/config.json", "README.md"], None),
    ],
)
def test_nested_archive_detection(tmp_path, layout, problem):
    for name in layout:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    found = nested_archive_problem(tmp_path)
    if problem is None:
        assert found is None
    else:
        assert problem in found
        assert "tar -czf model.tar.gz -C my-model ." in found
