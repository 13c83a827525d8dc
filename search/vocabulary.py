"""The search vocabulary every process shares: the jieba user dictionary and the synonym sets.

Both come from the database (taxonomy names, admin-edited synonyms) plus the shipped word list.
Editing them bumps `LexiconVersion`; each process re-checks the version at most every few seconds
and reloads, so a new topic is segmented correctly without a restart or deploy.
"""

import threading
import time

from django.db import transaction
from django.db.models import F

from catalogue.models import Region, School, Theme, Topic

from .analysis import lexicon, shipped_words, synonym_map
from .models import LexiconVersion, Synonym

CHECK_EVERY_SECONDS = 5.0

_state = {"checked_at": 0.0, "version": None, "synonyms": {}}
_lock = threading.Lock()


def lexicon_words() -> list[str]:
    words = list(shipped_words())
    words += Theme.objects.values_list("name", flat=True)
    words += Topic.objects.values_list("name", flat=True)
    words += [p for p in Topic.objects.exclude(place="").values_list("place", flat=True)]
    words += Region.objects.values_list("name", flat=True)
    words += School.objects.values_list("name", flat=True)
    for synonym in Synonym.objects.all():
        words += synonym.term_list
    return words


def current_version() -> int:
    row = LexiconVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    return row or 0


def ensure_loaded(*, force: bool = False) -> None:
    """Load or refresh the dictionary and synonyms if the shared version moved on."""
    now = time.monotonic()
    if not force and _state["version"] is not None and now - _state["checked_at"] < CHECK_EVERY_SECONDS:
        return
    with _lock:
        version = current_version()
        _state["checked_at"] = now
        if force or version != _state["version"]:
            lexicon.load(lexicon_words(), version=version)
            _state["synonyms"] = synonym_map(s.term_list for s in Synonym.objects.all())
            _state["version"] = version


def synonyms() -> dict[str, set[str]]:
    ensure_loaded()
    return _state["synonyms"]


def lexicon_version_bump() -> None:
    """Tell every process that the dictionary or the synonyms changed (after this transaction)."""
    with transaction.atomic():
        updated = LexiconVersion.objects.filter(pk=1).update(version=F("version") + 1)
        if not updated:
            LexiconVersion.objects.create(pk=1, version=1)
    # This process knows it changed: reload on next use (and again once the change is committed).
    _state.update(checked_at=0.0, version=None)
    transaction.on_commit(lambda: _state.update(checked_at=0.0, version=None))


_names_cache: dict = {"version": None, "names": None}


def taxonomy_names() -> dict[str, dict[int, str]]:
    """{facet: {id: name}} for the taxonomy facets, cached until the vocabulary version changes."""
    from catalogue.models import ResourceType, Stage, Subject

    ensure_loaded()
    if _names_cache["version"] != _state["version"] or _names_cache["names"] is None:
        _names_cache["names"] = {
            "theme": dict(Theme.objects.values_list("id", "name")),
            "topic": dict(Topic.objects.values_list("id", "name")),
            "subject": dict(Subject.objects.values_list("id", "name")),
            "stage": dict(Stage.objects.values_list("id", "name")),
            "type": dict(ResourceType.objects.values_list("id", "name")),
            "region": dict(Region.objects.values_list("id", "name")),
        }
        _names_cache["version"] = _state["version"]
    return _names_cache["names"]
