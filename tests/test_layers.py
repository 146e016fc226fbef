"""Imports run one way: accounts → dosing → entries → measures → care → therapist, with the pages
(every ``routes.py`` and ``*_routes.py``) and the app-wide modules on top. A lower feature that needs to
react to a higher one takes a value or exposes a hook; it never imports upward, not
even lazily inside a function."""
import ast
from pathlib import Path

import journal

PACKAGE = Path(journal.__file__).parent
#: The features, lowest first; a feature's modules may import only its own layer and lower
#: ones. Accounts are several packages: the account itself, its logins, second factors,
#: security log and rate limits.
LAYERS = [{"auth", "logins", "mfa", "security_log", "throttle"}, {"dosing"}, {"entries"}, {"measures"},
          {"care"}, {"therapist"}, {"reminders"}]
#: Shared building blocks every layer may use; they import no feature at all.
CORE = {"extensions", "timeutil", "cursors", "fields", "requests", "database", "postgres", "config", "mail",
        "user_agents"}


def rank(module: str) -> float:
    """Where a journal module stands: core 0, features 1…5, pages and the app on top."""
    parts = module.split(".")[1:]
    if not parts or parts[-1] == "routes" or parts[-1].endswith("_routes"):
        return float("inf")
    if parts[0] in CORE:
        return 0
    for rank_, layer in enumerate(LAYERS, start=1):
        if parts[0] in layer:
            return rank_
    return float("inf")  # api, privacy, pwa, web, commands, demo …: the top


def imports_of(path: Path, package: Path = PACKAGE) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("journal"):
            folder = package / Path(*node.module.split(".")[1:])
            for alias in node.names:
                # ``from journal import mail`` imports the submodule, not the package's own code.
                is_module = (folder / f"{alias.name}.py").exists() or (folder / alias.name).is_dir()
                found.add(f"{node.module}.{alias.name}" if is_module else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("journal"))
    return found


def module_name(path: Path, package: Path) -> str:
    relative = path.relative_to(package.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def upward_imports(package: Path = PACKAGE) -> list[str]:
    problems = []
    for path in sorted(package.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        importer = module_name(path, package)
        for imported in sorted(imports_of(path, package)):
            if rank(imported) > rank(importer):
                problems.append(f"{importer} imports {imported}")
    return problems


def test_imports_run_one_way():
    assert upward_imports() == []


def test_the_check_sees_a_lazy_upward_import(tmp_path):
    """A package where entries reaches up into care inside a function fails the walk."""
    package = tmp_path / "journal"
    for folder in ("entries", "care"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text("")
    (package / "care" / "on_entries.py").write_text("")
    (package / "entries" / "service.py").write_text("def hook():\n    from journal.care import on_entries\n")
    assert "journal.entries.service imports journal.care.on_entries" in upward_imports(package)
