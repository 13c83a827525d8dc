#!/usr/bin/env python
"""Rebuild locale/zh_Hans/LC_MESSAGES/{django,djangojs}.po: the Simplified Chinese strings that the
installed Wagtail uses but that neither Wagtail's nor Django's shipped zh_Hans catalogues translate.

    pip install --target /tmp/pylib polib          # polib is not a project dependency
    PYTHONPATH=/tmp/pylib .venv/bin/python scripts/update_zh_hans_catalogue.py
    # translate the entries reported as untranslated (empty msgstr) in the two .po files, then:
    cd locale/zh_Hans/LC_MESSAGES && msgfmt --check -o django.mo django.po && msgfmt --check -o djangojs.mo djangojs.po

What it does (see docs/i18n.md):
1. copies the installed wagtail package to a temporary directory (the installed package is never
   touched), drops its locale folders, tests and project template, and runs Django's `makemessages
   -d django --keep-pot` there: every msgid from Wagtail's Python code and templates, including
   wagtailConfig.STRINGS (wagtail/admin/localization.py);
2. extracts the msgids of Wagtail's compiled admin JS bundles (served in the `djangojs` domain by
   wagtail.admin's JavaScriptCatalog at /admin/jsi18n/): the bundles call a minified wrapper around
   window.django.gettext / ngettext, found by its module id; Wagtail's en/djangojs.po is added too;
3. drops every msgid that a shipped zh_Hans .mo (wagtail/**/locale, django/conf/locale,
   django/contrib/*/locale) already translates (compiled catalogues: fuzzy entries do not count);
4. writes the remaining msgids to the project .po files, keeping existing project translations,
   adding new msgids with an empty msgstr, and dropping msgids Wagtail now translates itself.
"""

import datetime
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES"
import wagtail  # noqa: E402

SP = Path(wagtail.__file__).parent.parent
HEADER = {
    "Project-Id-Version": f"zmd-resources Wagtail {wagtail.__version__} zh_Hans supplement",
    "Report-Msgid-Bugs-To": "",
    "Last-Translator": "zmd-resources",
    "Language-Team": "Chinese (China)",
    "Language": "zh_Hans",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=1; plural=0;",
}
IGNORE = ["wagtail/tests/*", "wagtail/test/*", "*/tests/*", "wagtail/project_template/*", "*/static/*"]


def key(entry):
    return (entry.msgctxt or "", entry.msgid)


def django_pot(workdir):
    src = workdir / "wagtail"
    shutil.copytree(SP / "wagtail", src, ignore=shutil.ignore_patterns("__pycache__", "locale"))
    (workdir / "locale").mkdir()
    cmd = [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "-d", "django", "--keep-pot"]
    cmd += [f"--ignore={pattern}" for pattern in IGNORE]
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run(cmd, cwd=workdir, check=True, env=env)
    return polib.pofile(str(workdir / "locale" / "django.pot"))


LITERAL = r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\$]|\\.)*`)"""


def _unquote(literal):
    if literal[0] == "`":
        return literal[1:-1]
    import ast

    return ast.literal_eval(literal)


def js_pot():
    """msgids of the compiled admin bundles, plus Wagtail's en/djangojs.po."""
    pot = polib.POFile()
    seen = {}
    en = polib.pofile(str(SP / "wagtail/admin/locale/en/LC_MESSAGES/djangojs.po"))
    for e in en:
        seen[key(e)] = e
        pot.append(e)
    bundles = glob.glob(str(SP / "wagtail/**/static/**/*.js"), recursive=True)
    text = {b: Path(b).read_text(encoding="utf-8", errors="replace") for b in bundles}
    # The webpack module that wraps window.django.gettext / ngettext, and its export names.
    module = names = None
    for s in text.values():
        m = re.search(
            r"(\d+)\(e,t,n\)\{\"use strict\";function (\w+)\(e\)\{const \w+=window\.django\?\.gettext;.*?"
            r"function (\w+)\(e,t,n\)\{const \w+=window\.django\?\.ngettext;.*?n\.d\(t,\{([^}]*)\}\)",
            s,
            re.S,
        )
        if m:
            exports = dict((fn, exp) for exp, fn in re.findall(r"(\w+):\(\)=>(\w+)", m.group(4)))
            module, names = m.group(1), (exports.get(m.group(2)), exports.get(m.group(3)))
            break
    if not module:
        print("WARNING: gettext wrapper not found in the JS bundles; using en/djangojs.po only")
        return pot
    found = 0
    for b, s in text.items():
        for var in set(re.findall(r"([A-Za-z_$][\w$]*)=[A-Za-z_$][\w$]*\(" + module + r"\)", s)):
            v = re.escape(var)
            calls = [(m.group(1), None) for m in re.finditer(r"\(0," + v + r"\." + names[0] + r"\)\(" + LITERAL, s)]
            calls += [
                (m.group(1), m.group(2))
                for m in re.finditer(r"\(0," + v + r"\." + names[1] + r"\)\(" + LITERAL + "," + LITERAL, s)
            ]
            for singular, plural in calls:
                found += 1
                entry = polib.POEntry(msgid=_unquote(singular), msgid_plural=_unquote(plural) if plural else "")
                if key(entry) not in seen:
                    print("new JS msgid (not in en/djangojs.po):", entry.msgid)
                    seen[key(entry)] = entry
                    entry.occurrences = [(os.path.relpath(b, SP), "")]
                    pot.append(entry)
    print(f"JS bundles: {found} gettext calls")
    return pot


def translated(domain):
    patterns = [
        f"wagtail/**/locale/zh_Hans/LC_MESSAGES/{domain}.mo",
        f"django/conf/locale/zh_Hans/LC_MESSAGES/{domain}.mo",
        f"django/contrib/*/locale/zh_Hans/LC_MESSAGES/{domain}.mo",
    ]
    done = set()
    for pattern in patterns:
        for mo in glob.glob(str(SP / pattern), recursive=True):
            for e in polib.mofile(mo):
                if (e.msgstr or "").strip() or any(v.strip() for v in e.msgstr_plural.values()):
                    done.add(key(e))
    return done


def update(domain, pot):
    done = translated(domain)
    path = OUT / f"{domain}.po"
    old = {key(e): e for e in polib.pofile(str(path))} if path.exists() else {}
    po = polib.POFile(wrapwidth=0)
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M+0000")
    po.metadata = {**HEADER, "POT-Creation-Date": now, "PO-Revision-Date": now}
    po.header = (
        "Simplified Chinese supplement for Wagtail: only msgids that have no zh_Hans\n"
        "translation in Wagtail's or Django's shipped catalogues. See docs/i18n.md."
    )
    missing = [e for e in pot if key(e) not in done]
    kept = new = 0
    for e in missing:
        entry = polib.POEntry(
            msgctxt=e.msgctxt,
            msgid=e.msgid,
            msgid_plural=e.msgid_plural,
            occurrences=e.occurrences,
            flags=[f for f in e.flags if f != "fuzzy"],
        )
        previous = old.get(key(e))
        if previous and (previous.msgstr or previous.msgstr_plural):
            entry.msgstr, entry.msgstr_plural = previous.msgstr, dict(previous.msgstr_plural)
            entry.flags, entry.tcomment = previous.flags, previous.tcomment
            kept += 1
        else:
            if e.msgid_plural:
                entry.msgstr_plural = {0: ""}
            new += 1
        po.append(entry)
    dropped = [k for k in old if k not in {key(e) for e in missing}]
    po.save(str(path))
    print(
        f"{domain}: {len(pot)} msgids, {len(missing)} not translated upstream; "
        f"{kept} already translated here, {new} NEW untranslated, {len(dropped)} dropped (now upstream)"
    )
    for e in po:
        if not (e.msgstr or any(e.msgstr_plural.values())):
            print("   TODO:", repr(e.msgid))


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    print("Wagtail", wagtail.__version__, "at", SP / "wagtail")
    with tempfile.TemporaryDirectory(prefix="wagtail-i18n-") as tmp:
        update("django", django_pot(Path(tmp)))
    update("djangojs", js_pot())


if __name__ == "__main__":
    main()
