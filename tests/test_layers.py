"""The comments app's layers, and its one write path, enforced by reading the code.

From top to bottom: the readers' side (`public`, with the template tags and the URLs) and the
editors' desk (`desk`, with the admin's entry point), never importing each other; the write
path (`moderation`); a newsroom's history (`history`: reading and writing exports, which the
write path brings in), the spam filter (`spam`) and the cached thread (`thread`), which never
import the write path (they are attached to its registry in `comments.apps`); reply
notifications (`notify`), which the readers' side, the API and the wiring may import and
which imports only the base; and the base (`models`, `sanitize`, `conf`, and `outbox`, which
queues mail). `comments.apps`, `comments.checks`, `comments.editors` and the
management commands wire the layers together and are imported by none of them. `articles`
never imports `comments`, and `comments` imports no module of any project (it is an app
other projects install: what it discusses is named in COMMENTS_MODELS, never imported).

And nothing outside `comments/moderation/` creates, saves, updates or deletes a comment.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "comments"

# Each layer by the module names it holds (a name and everything under it).
LAYERS = {
    "public": ("comments.public", "comments.templatetags", "comments.urls"),
    "api": ("comments.api",),
    "desk": ("comments.desk", "comments.admin"),
    "stats": ("comments.stats",),
    "history": ("comments.history",),
    "moderation": ("comments.moderation",),
    "spam": ("comments.spam",),
    "thread": ("comments.thread",),
    "notify": ("comments.notify",),
    "base": ("comments.models", "comments.sanitize", "comments.conf", "comments.outbox"),
    "wiring": (
        "comments.apps",
        "comments.checks",
        "comments.editors",
        "comments.management",
        "comments.migrations",
        "comments",  # the package's own __init__
    ),
}
# What each layer may import from the app, besides itself.
MAY_IMPORT = {
    "public": {"moderation", "spam", "thread", "notify", "base"},
    "api": {"public", "stats", "moderation", "spam", "thread", "notify", "base"},
    "desk": {"stats", "moderation", "spam", "thread", "base"},
    "stats": {"moderation", "spam", "thread", "base"},
    "history": {"base"},
    "moderation": {"history", "spam", "thread", "base"},
    "spam": {"base"},
    "thread": {"base"},
    "notify": {"base"},
    "base": set(),
    "wiring": {
        "public",
        "api",
        "desk",
        "stats",
        "history",
        "moderation",
        "spam",
        "thread",
        "notify",
        "base",
    },
}


def module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def python_files(folder):
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def is_module(name):
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imported_modules(path):
    """Every module `path` imports, anywhere in it (inside functions too), by full name."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    return imports_in(path.read_text(), package, filename=str(path))


def imports_in(source_code, package, filename="<probe>"):
    """The modules `source_code`, a module of `package`, imports, by full name."""
    tree = ast.parse(source_code, filename=filename)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module
            for alias in node.names:
                child = f"{source}.{alias.name}"
                found.add(child if is_module(child) else source)
    return found


def layer_of(name):
    """The layer a module of the app belongs to (the longest matching prefix), or None."""
    matches = [
        (len(prefix), layer)
        for layer, prefixes in LAYERS.items()
        for prefix in prefixes
        if name == prefix or name.startswith(f"{prefix}.")
    ]
    return max(matches)[1] if matches else None


APP_MODULES = python_files(APP)


def test_every_module_of_the_app_has_a_layer():
    unplaced = [module_name(p) for p in APP_MODULES if layer_of(module_name(p)) is None]
    assert unplaced == []
    assert {layer_of(module_name(p)) for p in APP_MODULES} == set(LAYERS)


@pytest.mark.parametrize("path", APP_MODULES, ids=lambda p: module_name(p))
def test_a_module_imports_only_from_its_own_layer_and_those_below(path):
    layer = layer_of(module_name(path))
    allowed = MAY_IMPORT[layer] | {layer}
    broken = sorted(
        f"{module_name(path)} ({layer}) imports {imported} ({layer_of(imported)})"
        for imported in imported_modules(path)
        if imported.split(".")[0] == "comments" and layer_of(imported) not in allowed
    )
    assert broken == []


@pytest.mark.parametrize("path", APP_MODULES, ids=lambda p: module_name(p))
def test_only_the_wiring_imports_the_wiring(path):
    if layer_of(module_name(path)) == "wiring":
        return
    wiring = [
        imported
        for imported in imported_modules(path)
        if imported.startswith("comments.") and layer_of(imported) == "wiring"
    ]
    assert wiring == []


def test_articles_never_imports_comments():
    offenders = sorted(
        f"{module_name(path)} imports {imported}"
        for path in python_files(ROOT / "articles")
        for imported in imported_modules(path)
        if imported == "comments" or imported.startswith("comments.")
    )
    assert offenders == []


# What the app may import from outside itself: the standard library, Django and the
# dependencies its wheel declares (pyproject.toml).
THIRD_PARTY = {
    "django",
    "bleach",
    "crispy_forms",
    "crispy_bootstrap5",
    "defusedxml",
    "ninja",
    "django_tasks",
    "django_tasks_db",
}
# scikit-learn and NumPy only where the filter is trained (the `spam-training` extra).
TRAINING_ONLY = {"sklearn", "numpy", "scipy"}


@pytest.mark.parametrize("path", APP_MODULES, ids=lambda p: module_name(p))
def test_the_app_imports_no_project_module(path):
    """Guards the app's independence: no import of articles, newsite, bench or tests, nor of
    a package its wheel does not depend on."""
    import sys

    foreign = sorted(
        imported
        for imported in imported_modules(path)
        if (top := imported.split(".")[0]) != "comments"
        and top not in sys.stdlib_module_names
        and top not in THIRD_PARTY | TRAINING_ONLY
    )
    assert foreign == []


def test_the_layer_rules_catch_an_upward_import():
    """The checker itself: a module of comments.thread importing the write path is caught."""
    probe = "from .. import moderation\nfrom ..moderation import registry\n"
    imported = imports_in(probe, "comments.thread")
    assert {"comments.moderation", "comments.moderation.registry"} <= imported
    assert layer_of("comments.moderation.registry") not in MAY_IMPORT["thread"]


# ---------------------------------------------------------------------------------------------
# One write path.

WRITES = {"save", "delete", "update", "bulk_create", "bulk_update", "create", "get_or_create"}
WRITTEN_FIELDS = {"status", "moderated_at", "moderated_by", "featured_at", "body_html"}
# What names a comment (or comments) in the code: the model, and the usual variable names.
COMMENT_NAMES = {"Comment", "comment", "comments", "reply", "replies", "parent"}
# Where comments may be written: the write path, and the migrations that move data. (The
# benchmark's load-data tooling in bench/ writes a million rows in bulk, outside the product;
# the tests' builders in tests/factories.py, for their own data.)
WRITE_PATH = (APP / "moderation", APP / "migrations")


def root_name(node):
    """The name a chain such as `Comment.objects.filter(…).update` starts from."""
    while True:
        if isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return node.id if isinstance(node, ast.Name) else None


def comment_writes(path):
    """(line, code) of each write to a comment in the file: a save, update, delete or bulk
    call on a chain starting from a comment, or a decision field set on one."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in WRITES and root_name(node.func.value) in COMMENT_NAMES:
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for part in ast.walk(target):
                    if (
                        isinstance(part, ast.Attribute)
                        and part.attr in WRITTEN_FIELDS
                        and root_name(part.value) in COMMENT_NAMES
                    ):
                        found.append((node.lineno, ast.unparse(node)))
    return found


PRODUCT_FILES = [
    p
    for folder in (APP, ROOT / "articles", ROOT / "newsite")
    for p in python_files(folder)
    if not any(p.is_relative_to(allowed) for allowed in WRITE_PATH)
]


@pytest.mark.parametrize("path", PRODUCT_FILES, ids=lambda p: module_name(p))
def test_nothing_outside_the_write_path_writes_a_comment(path):
    assert comment_writes(path) == []


def test_the_write_path_check_sees_writes():
    """The checker itself, on the write path's own code: it finds the writes there."""
    found = [code for path in python_files(APP / "moderation") for _, code in comment_writes(path)]
    assert any(".update(" in code for code in found)
    assert any("save(" in code for code in found)
    assert any("bulk_update(" in code for code in found)
    assert any(".delete()" in code for code in found)
