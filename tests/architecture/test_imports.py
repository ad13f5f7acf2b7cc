"""How the package's modules may import each other: no cycles, and the seam's direction.

Every import is read with ``ast``, function-level ones included (a deferred import is still a
dependency). Imports under ``if TYPE_CHECKING:`` are left out: they never run, and they are
how a module names a type of a module above it. ``sagemaker_hf/__init__.py``'s lazy
``__getattr__`` imports through ``importlib`` and is no edge either.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import sagemaker_hf

PACKAGE = Path(sagemaker_hf.__file__).parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_only(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            skipped.update(id(inner) for statement in node.body for inner in ast.walk(statement))
    return skipped


def _imported(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The modules of ours an import statement depends on."""
    if isinstance(node, ast.Import):
        targets = [alias.name for alias in node.names]
    else:
        package = module if _modules()[module].name == "__init__.py" else module.rpartition(".")[0]
        if node.level:
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            prefix = ".".join([*base, *([node.module] if node.module else [])])
        else:
            prefix = node.module or ""
        # ``from package import module`` depends on that module; parent packages load implicitly
        named = [f"{prefix}.{alias.name}" for alias in node.names]
        targets = [target if target in _modules() else prefix for target in named]
    found = []
    for target in targets:
        while target and target not in _modules():
            target = target.rpartition(".")[0]
        if target.startswith("sagemaker_hf") and target != module:
            found.append(target)
    return found


@cache
def import_graph() -> dict[str, frozenset[str]]:
    """module -> the modules of ours it imports anywhere in its code (TYPE_CHECKING aside)."""
    graph = {}
    for module, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _type_checking_only(tree)
        edges = {
            target
            for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in skipped
            for target in _imported(module, node)
        }
        graph[module] = frozenset(edges)
    return graph


def strongly_connected(graph: dict[str, frozenset[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the groups of modules that reach each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                groups.append(sorted(group))
    return groups


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset({"a"})}
    assert sorted(group for group in strongly_connected(graph) if len(group) > 1) == [["a", "b", "c"]]


def test_the_graph_sees_deferred_imports():
    # local_session.py makes the local clients inside LocalSession's methods
    assert "sagemaker_hf.local.client" in import_graph()["sagemaker_hf.session.local_session"]


def test_no_module_imports_in_a_cycle():
    cycles = [group for group in strongly_connected(import_graph()) if len(group) > 1]
    assert cycles == []


ABOVE_THE_SEAM = ("session", "hosting", "batch", "training", "cli")


def test_local_mode_imports_nothing_above_the_seam():
    # local/ is what LocalSession plugs in below the seam: the SDK's workflows call it through
    # boto3's method names only, and it never calls back up.
    above = tuple(f"sagemaker_hf.{name}" for name in ABOVE_THE_SEAM)
    offenders = {
        module: sorted(target for target in targets if any(_within(target, top) for top in above))
        for module, targets in import_graph().items()
        if _within(module, "sagemaker_hf.local")
    }
    assert {module: targets for module, targets in offenders.items() if targets} == {}


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


# The two programs share only these leaves (standard library and errors only): the container
# contract (sagemaker_hf.container), the errors and the safe tar extraction.
SHARED_LEAVES = ("sagemaker_hf.container", "sagemaker_hf.errors", "sagemaker_hf.safetar")


def test_the_container_contract_is_a_leaf():
    outside = {
        f"{module} -> {target}"
        for module, targets in import_graph().items()
        if _within(module, "sagemaker_hf.container")
        for target in targets
        if not _within(target, "sagemaker_hf.container") and target != "sagemaker_hf.errors"
    }
    assert outside == set()


def test_the_toolkit_imports_nothing_of_the_sdk_but_the_shared_leaves():
    # "sagemaker_hf" itself is the package's lazy __init__ (for __version__): it imports nothing
    allowed = (*SHARED_LEAVES, "sagemaker_hf.toolkit")
    offenders = {
        module: sorted(t for t in targets if t != "sagemaker_hf" and not any(_within(t, a) for a in allowed))
        for module, targets in import_graph().items()
        if _within(module, "sagemaker_hf.toolkit")
    }
    assert {module: targets for module, targets in offenders.items() if targets} == {}


def test_the_sdk_imports_the_toolkit_only_to_run_it():
    # `sagemaker-hf serve` is the toolkit's own command; everything else starts it as a process.
    importers = sorted(
        module
        for module, targets in import_graph().items()
        if not _within(module, "sagemaker_hf.toolkit")
        and any(_within(target, "sagemaker_hf.toolkit") for target in targets)
    )
    assert importers == ["sagemaker_hf.cli"]
