"""The review app's layers call downward only: no module calls back into the layer that called it.

views/forms/hooks → services (the actors' entry points) → transitions (the state machine) → leaf
modules (expert assignment, notifications, Wagtail's workflow rows, selectors, the files verdict,
set-up) → models and the file intake records. The one upward edge is the adapter direction the design asks for: Wagtail's tasks
(`models/workflow.py`) call `transitions.apply` from `on_action` (and read a selector), and nothing
the transitions call reaches `on_action`. Checked on every import statement, including the ones
inside functions."""

import ast
from pathlib import Path

REVIEW = Path(__file__).resolve().parents[2] / "review"

LEAVES = {
    "review.notify",
    "review.assignment",
    "review.wagtail_workflow",
    "review.selectors",
    "review.services.common",
    "review.services.setup",
    "review.services.files",
}
BOTTOM = {"review.models", "review.checks", "review.intake", "review.signals", "review.tasks", "review.scoring"}
ACTORS = {
    "review.services",
    "review.services.submitting",
    "review.services.county",
    "review.services.experts",
    "review.services.selection",
    "review.services.publicity",
    "review.services.notifications",
    "review.services.drafts",
}
ADAPTER_EXCEPTIONS = {("review.models.workflow", "review.transitions"), ("review.models.workflow", "review.selectors")}


def _layer(module: str) -> int:
    def under(names):
        return any(module == n or module.startswith(n + ".") for n in names)

    if under(BOTTOM):
        return 0
    if under(LEAVES):
        return 1
    if module == "review.transitions":
        return 2
    if module in ACTORS:
        return 3
    return 4  # views, forms, exports, receivers, hooks, apps, urls, admin views, commands


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REVIEW.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path):
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:  # `from . import transitions` imports a module
                candidate = f"{base}.{alias.name}"
                is_module = (REVIEW.parent / Path(*candidate.split("."))).with_suffix(".py").exists() or (
                    REVIEW.parent / Path(*candidate.split("."))
                ).is_dir()
                yield candidate if is_module else base


def _sources():
    for path in sorted(REVIEW.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        yield path


def test_no_review_module_calls_up_into_the_layer_that_called_it():
    upward = []
    for path in _sources():
        module = _module_name(path)
        for imported in _imports(path):
            if not imported.startswith("review"):
                continue
            if (module, imported) in ADAPTER_EXCEPTIONS or module == imported:
                continue
            if _layer(imported) > _layer(module):
                upward.append(f"{module} (layer {_layer(module)}) imports {imported} (layer {_layer(imported)})")
    assert not upward, "\n".join(upward)


def test_the_tasks_do_not_assign_experts_or_call_services():
    source = (REVIEW / "models" / "workflow.py").read_text(encoding="utf-8")
    imports = set(_imports(REVIEW / "models" / "workflow.py"))
    assert not {i for i in imports if i == "review.services" or i.startswith("review.services.")}
    assert "def start(" not in source  # Wagtail's own Task.start: a transition assigns the experts
