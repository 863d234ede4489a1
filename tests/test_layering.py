"""The package's imports point one way: docs/architecture.md's layers, checked on the source.

Every module under iot_audit_fake is parsed (``ast``, nothing is imported) and mapped to
a layer by the longest matching name in :data:`LAYERS`. A module may import its own
layer and the layers below it, never one above: every import counts, including those
inside functions (imported on use) and under ``TYPE_CHECKING``. A new module must be
placed in a layer here (and in docs/architecture.md) before the test passes.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "iot_audit_fake"

#: Lowest first. Names are module paths under iot_audit_fake; a package name covers its modules.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    # What every layer may use: errors, time, ids, the account and region rule, botocore's model,
    # and the one lookup of moto's backends (the moto adapters).
    ("foundation", ("errors", "clock", "ids", "replies", "accounts", "crypto_time", "service_model", "moto_backends",
                    "moto_errors", "moto_dates", "identity_pool_roles", "timeline", "pagination")),
    # The audit's rules: checks, tasks, findings, suppressions, schedules, mitigation, configuration.
    ("domain", ("checks", "state", "tasks", "findings", "suppressions", "schedules", "mitigation_actions",
                "mitigation_tasks", "mitigation_effects", "configuration", "connections", "collection",
                "logging_options", "listing_index", "verdict", "upkeep", "observed", "tagged")),
    # The service facade: one method per API operation, over the domain.
    ("facade", ("operations", "backend")),
    # The protocol: restJson1 in and out, by botocore's model; Cognito's two role operations.
    ("wire", ("wire", "cognito_roles")),
    # The one entry every request passes, and the mock that routes moto's requests to it.
    ("entry", ("dispatch", "entry", "faults", "mock", "motohook")),
    # What is built on the entry: scenarios and the dashboard, then the server that serves both.
    ("front ends", ("scenario", "dashboard")),
    ("server", ("server",)),
    # For users: the package's lazy public names, the CLI and the pytest plugin.
    ("tools", ("", "__main__", "cli", "pytest_plugin", "pytest_controller")),
]

#: Modules of one layer that must not import each other.
INDEPENDENT: list[tuple[str, str]] = [("scenario", "dashboard")]

#: (importer, imported) pairs that break the layers and are allowed for now, each with the reason.
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int:
    """The index in LAYERS of the longest name covering ``module``."""
    best: tuple[int, int] | None = None  # (length of the name, layer)
    for index, (_, names) in enumerate(LAYERS):
        for name in names:
            covers = module == name or (name == "" and module == "") or module.startswith(f"{name}.")
            if covers and (best is None or len(name) > best[0]):
                best = (len(name), index)
    if best is None:
        raise LookupError(f"iot_audit_fake.{module} is in no layer: add it to LAYERS in tests/test_layering.py "
                          "and to docs/architecture.md")
    return best[1]


def _known(name: str) -> str:
    """The longest module of the package that ``name`` (a dotted path under it) is or is inside."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name if name in MODULES else ""


def imports_of(module: str) -> set[str]:
    """The package's modules that ``module`` imports (relative or absolute), anywhere in its source."""
    path = MODULES[module]
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    package = [p for p in package if p]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                origin = ".".join(["iot_audit_fake", *base, *([node.module] if node.module else [])])
            else:
                origin = node.module or ""
            submodules = [f"{origin}.{alias.name}" for alias in node.names]
            inside = [name for name in submodules if name.removeprefix("iot_audit_fake.") in MODULES]
            targets = inside if len(inside) == len(submodules) else [origin, *inside]
        for target in targets:
            if target == "iot_audit_fake" or target.startswith("iot_audit_fake."):
                imported = _known(target.removeprefix("iot_audit_fake").lstrip("."))
                if imported != module:
                    found.add(imported)
    return found


def _shown(module: str) -> str:
    return f"iot_audit_fake.{module}" if module else "iot_audit_fake"


def test_every_module_is_in_a_layer():
    for module in MODULES:
        layer_of(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module: str):
    mine = layer_of(module)
    upward = []
    for imported in sorted(imports_of(module)):
        theirs = layer_of(imported)
        if theirs > mine and (module, imported) not in KNOWN_EXCEPTIONS:
            upward.append(f"{_shown(imported)} ({LAYERS[theirs][0]})")
    assert not upward, (f"{_shown(module)} ({LAYERS[mine][0]}) imports a higher layer: {', '.join(upward)}; "
                        "see docs/architecture.md")


def test_independent_modules_do_not_import_each_other():
    for one, other in INDEPENDENT:
        for a, b in ((one, other), (other, one)):
            for module in MODULES:
                if module == a or module.startswith(f"{a}."):
                    bad = [m for m in imports_of(module) if m == b or m.startswith(f"{b}.")]
                    assert not bad, f"{_shown(module)} imports {', '.join(map(_shown, bad))}"


def test_known_exceptions_are_still_needed():
    """An exception that no longer occurs is removed, so the list stays the truth."""
    for importer, imported in KNOWN_EXCEPTIONS:
        assert imported in imports_of(importer), f"{importer} -> {imported} no longer occurs: drop the exception"


def test_the_check_sees_an_upward_import(tmp_path: Path):
    """The import reader finds relative, absolute and on-use imports, so an upward one cannot hide."""
    source = ("from ..wire import router\nimport iot_audit_fake.server\n"
              "def f():\n    from ..scenario.apply import apply\n")
    MODULES["checks.planted"] = tmp_path / "planted.py"
    try:
        MODULES["checks.planted"].write_text(source)
        assert imports_of("checks.planted") == {"wire.router", "server", "scenario.apply"}
        assert all(layer_of(m) > layer_of("checks.planted") for m in imports_of("checks.planted"))
    finally:
        del MODULES["checks.planted"]
