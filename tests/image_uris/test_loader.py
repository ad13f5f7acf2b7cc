"""The loader: schema validation with file and key path, invariants, laziness, data location."""

from __future__ import annotations

import json
import shutil

import pytest

from sagemaker_hf.image_uris import _matrix as _image_matrix
from sagemaker_hf.image_uris._matrix import ImageMatrixError, MatrixStore, default_data_dir
from sagemaker_hf.image_uris._resolve import ImageRequest, resolve_uri
from tests.image_uris.raw_matrix import DATA_DIR, raw


@pytest.fixture
def data_copy(tmp_path):
    """A writable copy of the data directory."""
    directory = tmp_path / "image_uris"
    shutil.copytree(DATA_DIR, directory)
    return directory


def rewrite(directory, family, change):
    data = json.loads((directory / f"{family}.json").read_text())
    change(data)
    (directory / f"{family}.json").write_text(json.dumps(data))


def load_error(directory, family="huggingface") -> str:
    with pytest.raises(ImageMatrixError) as info:
        MatrixStore(directory).family(family)
    return str(info.value)


def test_a_misspelled_key_names_the_file_and_key_path(data_copy):
    def misspell(data):
        leaf = data["inference"]["versions"]["4.26.0"]["pytorch1.13.1"]
        leaf["registrys"] = leaf.pop("registries")

    rewrite(data_copy, "huggingface", misspell)
    message = load_error(data_copy)
    assert "huggingface.json: inference.versions.4.26.0.pytorch1.13.1.registries: Field required" in message
    assert (
        "huggingface.json: inference.versions.4.26.0.pytorch1.13.1.registrys: Extra inputs are not permitted"
        in message
    )


def test_a_bad_value_names_the_key_path(data_copy):
    def bad_account(data):
        data["inference"]["versions"]["4.26.0"]["pytorch1.13.1"]["registries"]["us-east-1"] = "7631043518"

    rewrite(data_copy, "huggingface", bad_account)
    message = load_error(data_copy)
    assert "huggingface.json: inference.versions.4.26.0.pytorch1.13.1.registries.us-east-1:" in message


def test_a_bad_base_framework_key_and_region_key(data_copy):
    def bad_keys(data):
        entry = data["inference"]["versions"]["4.26.0"]
        entry["pytorch-one"] = entry.pop("pytorch1.13.1")
        entry["pytorch-one"]["registries"]["Moon"] = "763104351884"

    rewrite(data_copy, "huggingface", bad_keys)
    message = load_error(data_copy)
    assert "inference.versions.4.26.0.pytorch-one:" in message
    assert "inference.versions.4.26.0.pytorch-one.registries.Moon (key):" in message


def test_invalid_json_names_the_file(data_copy):
    (data_copy / "huggingface-llm.json").write_text('{"inference": ')
    assert load_error(data_copy, "huggingface-llm").startswith("huggingface-llm.json: not valid JSON")


@pytest.mark.parametrize(
    ("family", "change", "expected"),
    [
        (
            "huggingface",
            lambda d: d["inference"]["version_aliases"].update({"4.26": "4.26.9"}),
            "huggingface.json: inference.version_aliases.4.26: points at '4.26.9', not a version",
        ),
        (
            "huggingface",
            lambda d: d["inference"]["versions"]["4.26.0"]["version_aliases"].update(
                {"pytorch1.13": "pytorch1.13.2"}
            ),
            "huggingface.json: inference.versions.4.26.0.version_aliases.pytorch1.13: "
            "points at 'pytorch1.13.2'",
        ),
        (
            "huggingface",
            lambda d: d["inference"]["versions"]["4.26.0"]["pytorch1.13.1"]["container_version"].pop("cpu"),
            "huggingface.json: inference.versions.4.26.0.pytorch1.13.1.container_version: "
            "has no entry for processor 'cpu'",
        ),
        (
            "huggingface-llm",
            lambda d: d["inference"]["processors"].append("cpu"),
            "huggingface-llm.json: inference.versions.0.6.0.container_version: "
            "has no entry for processor 'cpu'",
        ),
    ],
)
def test_inconsistent_data_is_refused(data_copy, family, change, expected):
    rewrite(data_copy, family, change)
    message = load_error(data_copy, family)
    assert "inconsistent" in message and expected in message


def test_the_known_quirks_are_tolerated():
    # neuronx training keys container_version "inf" while its processor is "trn"
    training = raw("huggingface-neuronx")["training"]
    assert training["processors"] == ["trn"]
    assert training["versions"]["4.34.1"]["pytorch1.13.1"]["container_version"] == {"inf": "ubuntu20.04"}
    # the oldest training images have no container_version at all
    assert "container_version" not in raw("huggingface")["training"]["versions"]["4.4.2"]["pytorch1.6.0"]
    store = MatrixStore(DATA_DIR)
    for family in store.family_names():
        assert store.family(family).root


def test_each_family_is_parsed_once_and_only_on_demand(data_copy):
    store = MatrixStore(data_copy)
    assert store.loaded_families() == ()
    first = store.family("huggingface-llm")
    (data_copy / "huggingface-llm.json").write_text("not json any more")
    assert store.family("huggingface-llm") is first
    assert store.loaded_families() == ("huggingface-llm",)


def test_a_dropped_in_family_works_without_code(data_copy):
    shutil.copy(data_copy / "huggingface-sglang.json", data_copy / "huggingface-newserver.json")
    store = MatrixStore(data_copy)
    assert "huggingface-newserver" in store.family_names()
    request = ImageRequest(framework="huggingface-newserver", region="eu-west-1", version="0.5")
    assert resolve_uri(store, request) == resolve_uri(store, request._replace(framework="huggingface-sglang"))


def test_the_data_directory_prefers_the_packaged_copy(tmp_path, monkeypatch):
    assert default_data_dir() == DATA_DIR  # a source checkout: the wheel's folder does not exist
    packaged = tmp_path / "image_uri_config"
    packaged.mkdir()
    (packaged / "huggingface.json").write_text("{}")
    monkeypatch.setattr(_image_matrix, "PACKAGE_DATA_DIR", packaged)
    assert default_data_dir() == packaged
    monkeypatch.setattr(_image_matrix, "SOURCE_DATA_DIR", tmp_path / "missing")
    monkeypatch.setattr(_image_matrix, "PACKAGE_DATA_DIR", tmp_path / "also-missing")
    with pytest.raises(ImageMatrixError, match=r"no image-URI data found: looked in .*also-missing.*missing"):
        default_data_dir()
