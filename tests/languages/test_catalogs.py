"""The shipped translations are complete and in step with the code: every message of the app
and of the demo site translated in every language of settings.LANGUAGES but English, none
fuzzy, every plural form filled in, every placeholder kept, and no message in the code that the
catalogs lack (`make catalogs` brings them up to date; a translator fills in the rest)."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APP_LOCALE = ROOT / "comments" / "locale"
SITE_LOCALE = ROOT / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
CATALOGS = [
    (APP_LOCALE, "django"),
    (APP_LOCALE, "djangojs"),
    (SITE_LOCALE, "django"),
]
# The number of plural forms each language has (CLDR): Arabic has six.
PLURAL_FORMS = {"fr": 2, "ar": 6}
# %(name)s and %s (python-format), and {name} (python-brace-format: format_html, format_lazy).
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{(\w*)\}")


def placeholders(text):
    return {named or braced or "%" for named, braced in PLACEHOLDER.findall(text)}


def catalog(locale_dir, language, domain):
    path = locale_dir / language / "LC_MESSAGES" / f"{domain}.po"
    assert path.exists(), f"{path.relative_to(ROOT)} is missing"
    return polib.pofile(str(path))


def test_the_site_ships_english_and_two_languages_one_written_right_to_left():
    from django.utils.translation import get_language_info

    assert settings.LANGUAGE_CODE == "en"
    assert {"fr", "ar"} <= set(TRANSLATED)
    assert get_language_info("ar")["bidi"] is True


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize(("locale_dir", "domain"), CATALOGS, ids=["app", "app-js", "site"])
def test_every_message_is_translated_and_none_is_fuzzy(locale_dir, domain, language):
    po = catalog(locale_dir, language, domain)
    assert len(po) > 0
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert [e.msgid for e in po.obsolete_entries()] == []
    assert po.metadata.get("Language") == language
    expected = PLURAL_FORMS.get(language)
    if expected:
        assert f"nplurals={expected};" in po.metadata["Plural-Forms"].replace(" ", "")
    for entry in po:
        if entry.msgid_plural:
            forms = entry.msgstr_plural
            assert sorted(forms) == list(range(expected or len(forms))), entry.msgid
            assert all(text.strip() for text in forms.values()), entry.msgid


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize(("locale_dir", "domain"), CATALOGS, ids=["app", "app-js", "site"])
def test_every_translation_keeps_the_placeholders_of_its_message(locale_dir, domain, language):
    """A translation that loses %(name)s loses what the reader should read; one that adds a
    name the code does not give raises KeyError at render time."""
    for entry in catalog(locale_dir, language, domain):
        given = placeholders(entry.msgid + (entry.msgid_plural or ""))
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            used = placeholders(text)
            assert used <= given, (entry.msgid, text)
            if not entry.msgid_plural:
                assert used == given, (entry.msgid, text)
        if entry.msgid_plural:
            # Some plural forms may leave the number out ("one comment"), never a name.
            names = given - {"count", "counter", "num", "n", "%"}
            for text in translations:
                assert names <= placeholders(text), (entry.msgid, text)


def msgfmt():
    found = shutil.which("msgfmt")
    if found is None and os.environ.get("CI"):
        pytest.fail("GNU gettext's msgfmt is missing (.ci/run installs it)")
    if found is None:
        pytest.skip("GNU gettext's msgfmt is not installed here (CI installs it)")
    return found


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize(("locale_dir", "domain"), CATALOGS, ids=["app", "app-js", "site"])
def test_gnu_msgfmt_accepts_every_catalog(locale_dir, domain, language, tmp_path):
    """msgfmt --check: the header, the plural formula, and each format string's directives."""
    path = locale_dir / language / "LC_MESSAGES" / f"{domain}.po"
    run = subprocess.run(
        [msgfmt(), "--check", "-o", str(tmp_path / "out.mo"), str(path)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr


def extracted(tmp_path, source, domain, *ignore):
    """The messages makemessages finds in a copy of `source` (the tree itself is untouched)."""
    msgfmt()
    copy = tmp_path / "extracted" / source.name
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", *ignore))
    (copy / "locale").mkdir()
    django_admin = Path(os.sys.executable).with_name("django-admin")
    run = subprocess.run(
        [str(django_admin), "makemessages", "-l", "fr", "-d", domain, "--no-location"],
        cwd=copy,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": ""},
    )
    assert run.returncode == 0, run.stderr
    found = polib.pofile(str(copy / "locale" / "fr" / "LC_MESSAGES" / f"{domain}.po"))
    return {(e.msgctxt, e.msgid) for e in found}


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_apps_catalogs_hold_every_message_of_its_code(domain, tmp_path):
    in_code = extracted(tmp_path, ROOT / "comments", domain)
    for language in TRANSLATED:
        in_catalog = {(e.msgctxt, e.msgid) for e in catalog(APP_LOCALE, language, domain)}
        assert sorted(in_code - in_catalog, key=str) == [], f"run `make catalogs` ({language})"


def test_the_sites_catalog_holds_every_message_of_its_code(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    for part in ("articles", "newsite", "templates"):
        shutil.copytree(ROOT / part, site / part, ignore=shutil.ignore_patterns("__pycache__"))
    in_code = extracted(tmp_path, site, "django")
    for language in TRANSLATED:
        in_catalog = {(e.msgctxt, e.msgid) for e in catalog(SITE_LOCALE, language, "django")}
        assert sorted(in_code - in_catalog, key=str) == [], f"run `make catalogs` ({language})"
