"""The image-URI version matrices: the upstream JSON schema as pydantic models, and their loader.

One JSON file per image family (``huggingface.json``, ``huggingface-llm.json``, ...), in the
schema of the SageMaker Python SDK's ``image_uri_config/``::

    {scope: {processors?, version_aliases, versions: {version: entry}}}

(or ``{"scope": [scope, ...], versions: ...}``, one table for the scopes listed, as DJL's).

where an entry is either a leaf (the image: repository, registries, container_version, ...)
or, for the transformers families, a table of base frameworks (``pytorch1.13.1``,
``tensorflow2.11.0``) with its own ``version_aliases``, each holding a leaf.

A file is read and validated the first time its family is asked for, once per process and
per directory. A file that does not fit the schema, or whose aliases or processors do not
add up, raises :class:`ImageMatrixError` naming the file and the key path.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Annotated

from packaging.version import InvalidVersion, Version
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    RootModel,
    StringConstraints,
    Tag,
    ValidationError,
)

from sagemaker_hf.errors import SageMakerHFError, UnsupportedValueError

# In the wheel the data sits inside the package; in a source checkout (and an editable
# install) it is the repository's top-level image_uris/ directory.
PACKAGE_DATA_DIR = Path(__file__).resolve().parents[1] / "image_uri_config"  # sagemaker_hf/image_uri_config
SOURCE_DATA_DIR = Path(__file__).resolve().parents[2] / "image_uris"  # the repository's image_uris/

# Processors that name a Neuron accelerator. The files use several spellings for the same
# thing (neuronx training keys its container_version "inf" while its processor is "trn").
NEURON_PROCESSORS = frozenset({"inf", "inf1", "inf2", "trn", "trn1", "trn2", "neuron", "neuronx"})

Region = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,4}(-[a-z]+)+-\d+$")]
AccountId = Annotated[str, StringConstraints(pattern=r"^\d{12}$")]
PyVersion = Annotated[str, StringConstraints(pattern=r"^py\d+$")]
SdkVersion = Annotated[str, StringConstraints(pattern=r"^sdk\d+(\.\d+)*$")]
BaseFrameworkKey = Annotated[str, StringConstraints(pattern=r"^(pytorch|tensorflow)\d+(\.\d+)+$")]
BASE_FRAMEWORK_NAMES = ("pytorch", "tensorflow")


class ImageMatrixError(SageMakerHFError):
    """A version-matrix file is missing, unreadable, or does not fit the schema."""


class ImageLeaf(BaseModel):
    """One image: where it lives and how its tag ends."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    repository: str = Field(min_length=1)
    registries: dict[Region, AccountId] = Field(min_length=1)
    py_versions: tuple[PyVersion, ...] = ()
    container_version: dict[str, str] = {}
    sdk_versions: tuple[SdkVersion, ...] = ()
    tag_prefix: str | None = None
    # Upstream's opt-out for images whose container_version already names the accelerator.
    processor_in_tag: bool = True


class BaseFrameworkTable(BaseModel):
    """A transformers version's images, keyed ``pytorchX.Y.Z`` / ``tensorflowX.Y.Z``."""

    model_config = ConfigDict(extra="allow", frozen=True)
    __pydantic_extra__: dict[BaseFrameworkKey, ImageLeaf]

    version_aliases: dict[str, str] = {}

    @property
    def frameworks(self) -> dict[str, ImageLeaf]:
        return dict(self.__pydantic_extra__ or {})


def _entry_kind(raw: object) -> str:
    if isinstance(raw, BaseModel):
        return "<base frameworks>" if isinstance(raw, BaseFrameworkTable) else "<leaf>"
    keys = raw.keys() if isinstance(raw, dict) else ()
    is_table = any(k == "version_aliases" or k.startswith(BASE_FRAMEWORK_NAMES) for k in keys)
    return "<base frameworks>" if is_table else "<leaf>"


VersionEntry = Annotated[
    Annotated[ImageLeaf, Tag("<leaf>")] | Annotated[BaseFrameworkTable, Tag("<base frameworks>")],
    Discriminator(_entry_kind),
]


class ScopeMatrix(BaseModel):
    """The images of one scope (``training`` or ``inference``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    processors: tuple[str, ...] = ()
    version_aliases: dict[str, str] = {}
    versions: dict[str, VersionEntry] = Field(min_length=1)


class FamilyMatrix(RootModel[dict[str, ScopeMatrix]]):
    """A whole file: scope name -> :class:`ScopeMatrix`."""

    root: dict[str, ScopeMatrix] = Field(min_length=1)


def version_sort_key(version: str) -> tuple:
    """Order PEP 440 versions numerically, above build names such as ``b9522`` (ordered naturally)."""
    try:
        return (1, Version(version), ())
    except InvalidVersion:
        chunks = re.findall(r"\d+|\D+", version)
        return (0, Version("0"), tuple((c.isdigit(), int(c) if c.isdigit() else 0, c) for c in chunks))


def scope_processors(scope: ScopeMatrix, leaf: ImageLeaf) -> tuple[str, ...]:
    """The processors an image is offered for: the scope's list, else its container_version keys."""
    return scope.processors or tuple(leaf.container_version)


def container_version_for(scope: ScopeMatrix, leaf: ImageLeaf, processor: str) -> str | None:
    """The tag's trailing container version for a processor (None when the image has none).

    Tolerates the upstream quirk of a Neuron image keying its single container_version
    with another Neuron spelling (``inf`` for a ``trn`` processor).
    """
    if not leaf.container_version:
        return None
    if processor in leaf.container_version:
        return leaf.container_version[processor]
    if processor in NEURON_PROCESSORS and len(leaf.container_version) == 1:
        (key, value), *_ = leaf.container_version.items()
        if key in NEURON_PROCESSORS:
            return value
    return None


def iter_leaves(scope: ScopeMatrix):
    """Yield ``(version, base framework or None, leaf)`` for every image of a scope."""
    for version, entry in scope.versions.items():
        if isinstance(entry, ImageLeaf):
            yield version, None, entry
        else:
            for base_framework, leaf in entry.frameworks.items():
                yield version, base_framework, leaf


def _invariant_problems(matrix: FamilyMatrix) -> list[str]:
    problems = []
    for scope_name, scope in matrix.root.items():
        for alias, target in scope.version_aliases.items():
            if target not in scope.versions:
                problems.append(f"{scope_name}.version_aliases.{alias}: points at {target!r}, not a version")
            if alias in scope.versions:
                problems.append(f"{scope_name}.version_aliases.{alias}: is also a version key")
        for version, entry in scope.versions.items():
            if isinstance(entry, BaseFrameworkTable):
                for alias, target in entry.version_aliases.items():
                    if target not in entry.frameworks:
                        problems.append(
                            f"{scope_name}.versions.{version}.version_aliases.{alias}: "
                            f"points at {target!r}, not a base framework of {version}"
                        )
                if not entry.frameworks:
                    problems.append(f"{scope_name}.versions.{version}: holds no base framework")
        for version, base_framework, leaf in iter_leaves(scope):
            path = ".".join(p for p in (scope_name, "versions", version, base_framework) if p)
            if not leaf.container_version:
                continue  # the oldest training images have no container version in their tag
            for processor in scope_processors(scope, leaf):
                if container_version_for(scope, leaf, processor) is None:
                    problems.append(f"{path}.container_version: has no entry for processor {processor!r}")
    return problems


def _format_location(location: tuple) -> str:
    parts = []
    for part in location:
        if part == "[key]":
            parts[-1] = f"{parts[-1]} (key)"
        elif not str(part).startswith("<"):
            parts.append(str(part))
    return ".".join(parts) or "(top level)"


def _scoped(raw: object) -> object:
    """Upstream's other layout, ``{"scope": ["inference"], "versions": ...}`` (one table shared
    by the scopes listed; the DJL files), as ``{scope: table}``."""
    if isinstance(raw, dict) and isinstance(raw.get("scope"), list):
        table = {key: value for key, value in raw.items() if key != "scope"}
        return {scope: table for scope in raw["scope"]}
    return raw


def parse_family(name: str, text: str, source: str) -> FamilyMatrix:
    """Validate one file's text; ``source`` names it in errors."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImageMatrixError(f"{source}: not valid JSON: {exc}") from None
    try:
        matrix = FamilyMatrix.model_validate(_scoped(raw))
    except ValidationError as exc:
        lines = [f"{source}: {_format_location(e['loc'])}: {e['msg']}" for e in exc.errors()[:20]]
        raise ImageMatrixError(
            f"the image-URI data for {name!r} does not fit the schema:\n" + "\n".join(lines)
        ) from None
    problems = _invariant_problems(matrix)
    if problems:
        raise ImageMatrixError(
            f"the image-URI data for {name!r} is inconsistent:\n"
            + "\n".join(f"{source}: {p}" for p in problems)
        )
    return matrix


class MatrixStore:
    """The families of one data directory, each parsed on first use and then kept.

    ``MatrixStore(path)`` reads another directory (tests, or data newer than the package's).
    """

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self._families: dict[str, FamilyMatrix] = {}
        self._names: tuple[str, ...] | None = None

    def family_names(self) -> tuple[str, ...]:
        if self._names is None:
            # A file whose name starts with "_" is data about the families, not one of them.
            names = (p.stem for p in self.directory.glob("*.json") if not p.name.startswith("_"))
            self._names = tuple(sorted(names))
        return self._names

    def family(self, name: str) -> FamilyMatrix:
        matrix = self._families.get(name)
        if matrix is None:
            if name not in self.family_names():
                nearest = difflib.get_close_matches(str(name), self.family_names(), n=2, cutoff=0.8)
                raise UnsupportedValueError(
                    f"Unsupported framework {name!r}: no such image family. "
                    f"Supported frameworks: {', '.join(self.family_names())}."
                    + (f" Nearest: {', '.join(nearest)}." if nearest else "")
                )
            path = self.directory / f"{name}.json"
            matrix = parse_family(name, path.read_text(encoding="utf-8"), source=path.name)
            self._families[name] = matrix
        return matrix

    def loaded_families(self) -> tuple[str, ...]:
        """The families parsed so far (the loader is lazy; tests check that)."""
        return tuple(self._families)


def default_data_dir() -> Path:
    """The package's data directory: inside the installed package first, else the checkout's."""
    for directory in (PACKAGE_DATA_DIR, SOURCE_DATA_DIR):
        if any(directory.glob("*.json")):
            return directory
    raise ImageMatrixError(
        f"no image-URI data found: looked in {PACKAGE_DATA_DIR} (installed wheel) and "
        f"{SOURCE_DATA_DIR} (source checkout); reinstall sagemaker-hf"
    )


_default_store: MatrixStore | None = None


def default_store() -> MatrixStore:
    """The process-wide store over :func:`default_data_dir` (created on first use)."""
    global _default_store
    if _default_store is None:
        _default_store = MatrixStore(default_data_dir())
    return _default_store
