"""``sagemaker_hf/__init__.py`` keeps its public surface whole while modules move.

Three lists in ``__init__.py`` name the same things: the lazy tables (``_LAZY_EXPORTS``: a
public name -> the module that defines it; ``_MODULE_ATTRIBUTES``: a module reached as an
attribute -> the module it is), ``__all__``, and the ``TYPE_CHECKING`` imports that editors
read. They must agree, and every name must be the object its module defines. SDK v2's module
names that are not modules here (``sagemaker.exceptions``, ``sagemaker.predictor``, ...) stay
reachable as attributes, so ``import sagemaker_hf as sagemaker`` keeps v2's spelling.
"""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import sagemaker_hf

INIT = Path(sagemaker_hf.__file__)


def _absolute(relative: str) -> str:
    return importlib.util.resolve_name(relative, "sagemaker_hf")


def _type_checking_imports() -> dict[str, str]:
    """Each name bound under ``if TYPE_CHECKING:`` -> what it is: a module, or ``module:name``."""
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    [block] = [
        node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    ]
    bound: dict[str, str] = {}
    for statement in block.body:
        assert isinstance(statement, ast.ImportFrom), ast.unparse(statement)
        module = _absolute("." * statement.level + (statement.module or ""))
        for alias in statement.names:
            candidate = f"{module}.{alias.name}"
            is_module = _is_module(candidate)
            bound[alias.asname or alias.name] = candidate if is_module else f"{module}:{alias.name}"
    return bound


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # the parent is a module, not a package
        return False


def test_all_is_every_lazy_name_and_module_sorted_once():
    names = set(sagemaker_hf._LAZY_EXPORTS) | set(sagemaker_hf._MODULE_ATTRIBUTES) | {"__version__"}
    assert sorted(sagemaker_hf.__all__) == sorted(names)
    assert sagemaker_hf.__all__ == sorted(set(sagemaker_hf.__all__))
    assert set(sagemaker_hf._LAZY_EXPORTS).isdisjoint(sagemaker_hf._MODULE_ATTRIBUTES)
    assert dir(sagemaker_hf) == sorted(sagemaker_hf.__all__)


def test_the_type_checking_imports_name_the_same_objects():
    expected = {name: f"{_absolute(module)}:{name}" for name, module in sagemaker_hf._LAZY_EXPORTS.items()}
    expected.update({name: _absolute(module) for name, module in sagemaker_hf._MODULE_ATTRIBUTES.items()})
    assert _type_checking_imports() == expected


@pytest.mark.parametrize("name", sorted(sagemaker_hf._LAZY_EXPORTS))
def test_each_lazy_name_is_its_modules_object(name):
    module = importlib.import_module(_absolute(sagemaker_hf._LAZY_EXPORTS[name]))
    assert getattr(sagemaker_hf, name) is getattr(module, name)


@pytest.mark.parametrize("name", sorted(sagemaker_hf._MODULE_ATTRIBUTES))
def test_each_module_attribute_is_that_module(name):
    module = importlib.import_module(_absolute(sagemaker_hf._MODULE_ATTRIBUTES[name]))
    assert getattr(sagemaker_hf, name) is module


def test_an_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        sagemaker_hf.no_such_name  # noqa: B018


# SDK v2's spelling after ``import sagemaker_hf as sagemaker``: attribute path -> the name it is.
V2_ATTRIBUTE_PATHS = {
    "analytics.TrainingJobAnalytics": "TrainingJobAnalytics",
    "deserializers.JSONDeserializer": "serializers.JSONDeserializer",
    "estimator.Estimator": "Estimator",
    "exceptions.UnexpectedStatusException": "errors.UnexpectedStatusException",
    "exceptions.PollingTimeoutError": "errors.PollingTimeoutError",
    "image_uris.retrieve": "image_uris.retrieve",
    "model.HuggingFaceModel": "HuggingFaceModel",
    "predictor.Predictor": "Predictor",
    "transformer.Transformer": "Transformer",
    "s3.S3Uploader": "s3.S3Uploader",
    "serializers.JSONSerializer": "serializers.JSONSerializer",
}

_PROBE = """
import importlib, json, sys
import sagemaker_hf as sagemaker

def find(path):
    head, _, rest = path.partition(".")
    value = getattr(sagemaker, head, None)
    if value is None:
        value = importlib.import_module("sagemaker_hf." + head)
    for part in rest.split(".") if rest else ():
        value = getattr(value, part)
    return value

paths = json.loads(sys.argv[1])
print(json.dumps({path: find(path) is find(target) for path, target in paths.items()}))
"""


def test_v2_module_names_work_as_attributes_in_a_fresh_interpreter():
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(V2_ATTRIBUTE_PATHS)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == dict.fromkeys(V2_ATTRIBUTE_PATHS, True)


# SDK v2's import lines with ``sagemaker`` (or ``sagemaker.huggingface``) rewritten to
# ``sagemaker_hf``, as the notebooks migrate: module -> names imported from it.
V2_IMPORT_LINES = {
    "sagemaker_hf.analytics": ("TrainingJobAnalytics",),
    "sagemaker_hf.deserializers": ("JSONDeserializer", "BytesDeserializer"),
    "sagemaker_hf.estimator": ("Estimator", "HuggingFace"),
    "sagemaker_hf.exceptions": ("UnexpectedStatusException", "PollingTimeoutError"),
    "sagemaker_hf.model": ("HuggingFaceModel", "HuggingFacePredictor"),
    "sagemaker_hf.predictor": ("Predictor", "HuggingFacePredictor"),
    "sagemaker_hf.transformer": ("Transformer",),
}

_IMPORT_PROBE = """
import importlib, json, sys
lines = json.loads(sys.argv[1])
before = set(sys.modules)
result = {}
for module_name, names in lines.items():
    namespace = {}
    exec(f"from {module_name} import {', '.join(names)}", namespace)
    module = sys.modules[module_name]
    home = importlib.import_module(module.__spec__.name)  # the module that holds the names
    result[module_name] = {
        "same objects": all(namespace[name] is getattr(home, name) for name in names),
        "alias is its home": module is home,
        "attribute is the module": getattr(sys.modules["sagemaker_hf"], module_name.split(".")[1]) is module,
    }
heavy = sorted(name for name in set(sys.modules) - before if name.split(".")[0] in ("torch", "transformers"))
print(json.dumps({"result": result, "heavy": heavy}))
"""


def test_v2_module_names_work_as_import_paths_in_a_fresh_interpreter():
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_PROBE, json.dumps(V2_IMPORT_LINES)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    every_check_true = {"same objects": True, "alias is its home": True, "attribute is the module": True}
    assert answer["result"] == dict.fromkeys(V2_IMPORT_LINES, every_check_true)
    assert answer["heavy"] == []


def test_the_v2_import_paths_leave_other_missing_modules_missing():
    with pytest.raises(ModuleNotFoundError, match=r"sagemaker_hf\.no_such_module"):
        importlib.import_module("sagemaker_hf.no_such_module")
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("sagemaker_hf.exceptions.deeper")
    assert sagemaker_hf._V2ModulePaths.find_spec("other_package.exceptions") is None
    assert sagemaker_hf._V2ModulePaths.find_spec("sagemaker_hf.s3") is None  # a real file


def test_a_moved_module_still_imports_with_a_warning_naming_its_new_home():
    sys.modules.pop("sagemaker_hf.base_predictor", None)
    with pytest.warns(DeprecationWarning, match=r"sagemaker_hf\.hosting\.base_predictor.*0\.3\.0"):
        moved = importlib.import_module("sagemaker_hf.base_predictor")
    assert moved is importlib.import_module("sagemaker_hf.hosting.base_predictor")
    assert moved.__spec__.name == "sagemaker_hf.hosting.base_predictor"
    assert "base_predictor" not in sagemaker_hf.__all__
