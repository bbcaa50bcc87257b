"""The comments app is a wheel any Django project installs: built from pyproject.toml, it holds
the app (code, migrations, templates, static files) and nothing of the demo site, and declares
only what the app imports; installed from it into a fresh virtual environment, with no
checkout on the path, it runs examples/blog/ (a second project, two discussed models of its
own) and that project's tests pass, the Chromium ones included.

Slow for a unit test (a minute or two: a build, a venv, an install from the package index
through pip's cache, another project's suite), so the work is done once per module.
"""

import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLE = ROOT / "examples" / "blog"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
# What is packaged: pyproject.toml, the README it names, and the app.
SOURCES = ("pyproject.toml", "README.md", "comments")
JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", "*.sqlite3", "*.sqlite3-*", "staticfiles")
# The demo site and the rest of the repository never ship.
NOT_SHIPPED = {"newsite", "articles", "tests", "bench", "examples", "templates", "docs"}
# The demo site's dependencies: extras, never the app's own requirements.
SITE_ONLY = {"whitenoise", "dj-database-url", "psycopg", "redis", "gunicorn", "scikit-learn"}
# What the fresh venv needs beyond the wheel (and the dependencies it declares).
TEST_TOOLS = ("pytest", "pytest-django", "playwright")
STEP_TIMEOUT = 600

pytestmark = pytest.mark.packaging


def run(command, *, cwd=None, env=None, timeout=STEP_TIMEOUT):
    """Run a command quietly; on failure, fail with what it printed."""
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, command))} exited {result.returncode}\n"
            f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}",
            pytrace=False,
        )
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel, built (with PyPA's build, in its isolated environment) from a copy of what
    is packaged: setuptools' build/ directory in the working tree could hold stale files."""
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=JUNK)
        else:
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--wheel", "--outdir", out, source])
    built = sorted(out.glob("*.whl"))
    assert len(built) == 1, built
    return built[0]


def metadata(wheel):
    with zipfile.ZipFile(wheel) as archive:
        dist_info = f"{wheel.name.split('-')[0]}-{PROJECT['version']}.dist-info"
        return Parser().parsestr(archive.read(f"{dist_info}/METADATA").decode())


def test_the_wheel_is_the_comments_app_alone(wheel):
    name = PROJECT["name"].replace("-", "_")
    assert wheel.name == f"{name}-{PROJECT['version']}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {n.split("/")[0] for n in names} == {
        "comments",
        f"{name}-{PROJECT['version']}.dist-info",
    }
    assert not {n for n in names if n.split("/")[0] in NOT_SHIPPED}

    # Everything the app holds ships: code, migrations, templates, static files.
    app = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "comments").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    assert app - names == set()
    for expected in (
        "comments/migrations/0001_initial.py",
        "comments/templates/comments/_form.html",
        "comments/templates/comments/_thread.html",
        "comments/templates/admin/comments/comment/change_list.html",
        "comments/static/comments/comments.css",
        "comments/static/comments/comments.js",
        "comments/templatetags/comments.py",
        "comments/management/commands/create_editor.py",
        # Its translations, compiled (make messages, before every build: docs/install.md).
        "comments/locale/fr/LC_MESSAGES/django.po",
        "comments/locale/fr/LC_MESSAGES/django.mo",
        "comments/locale/ar/LC_MESSAGES/django.mo",
        "comments/locale/ar/LC_MESSAGES/djangojs.mo",
    ):
        assert expected in names


def test_the_wheel_requires_what_the_app_imports_and_no_more(wheel):
    found = metadata(wheel)
    assert found["Name"] == PROJECT["name"] == "meridian-comments"
    assert found["Version"] == PROJECT["version"]
    requirements = [Requirement(line) for line in found.get_all("Requires-Dist")]
    always = {r.name.lower() for r in requirements if r.marker is None}
    assert always == {Requirement(line).name.lower() for line in PROJECT["dependencies"]}
    assert always == {
        "django",
        "django-crispy-forms",
        "crispy-bootstrap5",
        "bleach",
        "defusedxml",
        "django-ninja",
        "django-tasks",
        "django-tasks-db",
    }
    assert not always & SITE_ONLY
    django = next(r for r in requirements if r.name.lower() == "django")
    assert django.specifier.contains("5.2.1") and not django.specifier.contains("5.3")
    extras = set(found.get_all("Provides-Extra"))
    assert {"spam-training", "site", "dev"} <= extras
    training = [
        r for r in requirements if r.marker and r.marker.evaluate({"extra": "spam-training"})
    ]
    assert "scikit-learn" in {r.name.lower() for r in training}


def test_the_example_blog_passes_its_tests_on_the_installed_wheel(wheel, tmp_path):
    """A fresh venv with the wheel and the test tools only; the example copied away from the
    checkout and run there, with no PYTHONPATH: whatever `comments` it imports is the
    installed one (its test_the_comments_app_is_installed_not_borrowed says where from)."""
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv])
    python = venv / "bin" / "python"
    run([python, "-m", "pip", "install", "--quiet", wheel, *TEST_TOOLS])
    site_packages = run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
    ).stdout.strip()

    blog = tmp_path / "blog"
    shutil.copytree(EXAMPLE, blog, ignore=JUNK)
    env = {
        key: value
        for key, value in os.environ.items()
        # The main suite's settings module, its path and its venv stay out of the example's.
        if key not in {"PYTHONPATH", "DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV", "PYTHONHOME"}
    }
    env["BLOG_EXPECT_COMMENTS_UNDER"] = site_packages
    found = run([python, "-c", "import comments; print(comments.__file__)"], cwd=blog, env=env)
    assert Path(found.stdout.strip()).is_relative_to(site_packages)

    result = run([venv / "bin" / "pytest", "-q", "-rsx"], cwd=blog, env=env)
    counts = {
        outcome: int(number)
        for number, outcome in re.findall(r"(\d+) (\w+)", result.stdout.strip().splitlines()[-1])
    }
    assert counts.get("passed", 0) > 0, result.stdout[-3000:]
    assert not counts.get("failed") and not counts.get("error") and not counts.get("errors")
    if os.environ.get("CI", "").strip().lower() in {"true", "1"}:
        # Chromium is there in CI: the example's browser tests run, never skip.
        assert not counts.get("skipped"), result.stdout[-3000:]
