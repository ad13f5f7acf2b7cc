"""The package's shape: a short top level, small files, and docs/architecture.md's tree matching it.

A module stays at the top of ``sagemaker_hf/`` only if more than one package uses it or it is a
documented public path; everything else lives in the package of its workflow (``hosting/``,
``batch/``, ``training/``, ``image_uris/``, ``cli/``, ``local/``, ``toolkit/``, ...).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import sagemaker_hf

PACKAGE = Path(sagemaker_hf.__file__).parent
ARCHITECTURE = PACKAGE.parent / "docs" / "architecture.md"
MAX_TOP_LEVEL_MODULES = 15
MAX_LINES = 400


def test_the_top_level_holds_at_most_fifteen_modules():
    modules = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(modules) <= MAX_TOP_LEVEL_MODULES, modules


def test_no_file_is_over_four_hundred_lines():
    too_long = {
        str(path.relative_to(PACKAGE)): length
        for path in sorted(PACKAGE.rglob("*.py"))
        if (length := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}


def test_every_folder_of_modules_is_a_package():
    folders = {path.parent for path in PACKAGE.rglob("*.py")}
    assert sorted(str(f.relative_to(PACKAGE)) for f in folders if not (f / "__init__.py").exists()) == []


# ---- docs/architecture.md's trees ----------------------------------------------------------------

_ENTRY = re.compile(r"^(?P<indent> *)(?P<names>[\w.]+(?:\.py|/)(?:, [\w.]+(?:\.py|/))*)(?: +.*)?$")


def _tree_blocks(text: str) -> list[list[str]]:
    """The fenced blocks whose first line is ``sagemaker_hf/`` or ``sagemaker_hf/<package>/``."""
    blocks = re.findall(r"^```\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    return [block.splitlines() for block in blocks if re.match(r"sagemaker_hf/([\w/]+/)?\n", block)]


def documented_modules(text: str) -> set[str]:
    """Every ``.py`` path (relative to the package) in the doc's trees.

    Indentation nests: two more spaces than a folder's line put an entry inside it, and a
    folder's line stands for its ``__init__.py`` (every folder is a package). Lines that do
    not start with names (wrapped descriptions) are skipped; ``a.py, b.py`` lists several.
    """
    found: set[str] = set()
    for lines in _tree_blocks(text):
        root = lines[0].strip().removeprefix("sagemaker_hf/")
        parents: list[tuple[int, str]] = [(-1, root)]  # (indent, folder path ending in /)
        for line in lines[1:]:
            match = _ENTRY.match(line)
            if not match:
                continue
            indent = len(match["indent"])
            while parents[-1][0] >= indent:
                parents.pop()
            for name in match["names"].split(", "):
                path = parents[-1][1] + name
                if name.endswith("/"):
                    parents.append((indent, path))
                    found.add(path + "__init__.py")
                else:
                    found.add(path)
    return found


def test_the_tree_reader_nests_by_indentation():
    tree = ["sagemaker_hf/", "  a.py      x", "  pkg/      y", "    b.py, c.py", "        wrapped", "  d.py"]
    text = "```\n" + "\n".join(tree) + "\n```\n"
    assert documented_modules(text) == {"a.py", "pkg/__init__.py", "pkg/b.py", "pkg/c.py", "d.py"}


def test_the_architecture_trees_list_exactly_the_packages_modules():
    documented = documented_modules(ARCHITECTURE.read_text(encoding="utf-8"))
    actual = {str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")}
    assert sorted(documented - actual) == [], "in docs/architecture.md, not in the package"
    assert sorted(actual - documented) == [], "in the package, not in docs/architecture.md"


# ---- the plug-in recipes -------------------------------------------------------------------------

# package docstring -> (its heading, {module file: the tables the recipe names in it})
RECIPES = {
    "toolkit/tasks/__init__.py": (
        "How to add a task",
        {
            "toolkit/tasks/pipelines.py": ("NATIVE_SPECS",),
            "toolkit/tasks/names.py": ("DOCUMENTED_TASKS", "OTHER_PIPELINE_TASKS", "CSV_TASKS"),
            "toolkit/tasks/resolution.py": ("ARCHITECTURE_TASKS",),
            "toolkit/tasks/__init__.py": ("_ADAPTERS",),
        },
    ),
    "toolkit/media_types.py": (
        "How to add a content type",
        {
            "toolkit/media_types.py": ("DECODERS", "ENCODERS", "TEXT_DECODERS"),
            "toolkit/codecs.py": ("_DECODE",),
            "toolkit/encoders.py": ("_ENCODE",),
        },
    ),
    "image_uris/__init__.py": (
        "How to add an image family",
        {
            "image_uris/__init__.py": ("LLM_BACKENDS",),
            "image_uris/_resolve.py": (
                "_VERSION_NOUN",
                "_NEURON_TOOL_BY_FAMILY",
                "_FULL_VERSION_TAG_FAMILIES",
            ),
        },
    ),
}


def _top_level_names(path: Path) -> set[str]:
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        names.update(target.id for target in targets if isinstance(target, ast.Name))
    return names


def test_each_plug_in_table_has_its_recipe_and_the_tables_it_names_exist():
    for package_file, (heading, tables) in RECIPES.items():
        docstring = ast.get_docstring(ast.parse((PACKAGE / package_file).read_text(encoding="utf-8"))) or ""
        assert heading in docstring, package_file
        for module_file, names in tables.items():
            assert all(name in docstring for name in names), (package_file, names)
            assert set(names) <= _top_level_names(PACKAGE / module_file), module_file
