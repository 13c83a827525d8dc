"""Chinese text analysis: the one module used by indexing and querying alike (both engines).

Text is folded (NFKC, traditional → simplified, lower case), segmented with jieba in search mode
using a user dictionary of local names (shipped word list + taxonomy names + synonym terms), and
turned into pinyin (full and initials) and CJK character bigrams. Every engine indexes and queries
the *output* of this module, so SQLite, PostgreSQL and Elasticsearch see the same tokens.
"""

from __future__ import annotations

import html
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jieba
import zhconv
from pypinyin import Style, lazy_pinyin, pinyin

logger = logging.getLogger(__name__)

WORDS_FILE = Path(__file__).parent / "data" / "words.txt"
MAX_QUERY_CHARS = 100
MAX_GROUPS = 12
MAX_TERM_CHARS = 60

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RUN = re.compile(f"[{_CJK}]+")
IS_CJK = re.compile(f"[{_CJK}]")
WORD = re.compile(f"[{_CJK}]|[a-z0-9]+")
ASCII_WORD = re.compile(r"^[a-z0-9]+$")
ALPHA_WORD = re.compile(r"^[a-z]+$")

# Function words that carry no meaning on their own; they are dropped from indexes and queries.
STOPWORDS = frozenset(
    "的 了 和 与 及 在 是 为 之 等 对 把 被 从 以 也 都 而 或 个 这 那 有 我 你 他 她 它 其 "
    "着 过 就 并 又 于 向 将 让 由 吗 呢 吧 啊 一个 一些 我们 你们 他们 以及 并且 通过 本课 "
    "a an the of and or to in on for".split()
)


def fold(text: str) -> str:
    """Normalise text for matching: full-width → half-width, traditional → simplified, lower case."""
    text = unicodedata.normalize("NFKC", text or "")
    return zhconv.convert(text, "zh-hans").lower()


def strip_html(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", text or "")).strip()


# --- the user dictionary -------------------------------------------------------------------------


class Lexicon:
    """A jieba tokenizer with our user dictionary; words can be swapped without a restart."""

    def __init__(self):
        self._tokenizer = jieba.Tokenizer()
        self._words: set[str] = set()
        self._version: object = None
        self._lock = threading.Lock()

    @property
    def version(self):
        return self._version

    def load(self, words: Iterable[str], version: object = None) -> None:
        wanted = {fold(w).strip() for w in words if w and w.strip()}
        wanted = {w for w in wanted if len(w) >= 2}
        with self._lock:
            if not self._tokenizer.initialized:
                self._tokenizer.initialize()
            for word in self._words - wanted:
                self._tokenizer.del_word(word)
            for word in sorted(wanted - self._words):
                # A high frequency makes jieba keep the name whole instead of splitting it.
                self._tokenizer.add_word(word, freq=200000)
            self._words = wanted
            self._version = version

    def words(self) -> set[str]:
        return set(self._words)

    def cut_for_search(self, text: str) -> list[str]:
        return list(self._tokenizer.cut_for_search(text, HMM=False))

    def cut(self, text: str) -> list[str]:
        return list(self._tokenizer.cut(text, HMM=False))


def shipped_words() -> list[str]:
    lines = WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


lexicon = Lexicon()


def _keep(token: str) -> bool:
    token = token.strip()
    return bool(token) and bool(WORD.match(token)) and token not in STOPWORDS and len(token) <= MAX_TERM_CHARS


def _clean(tokens: Iterable[str]) -> list[str]:
    out = []
    for token in tokens:
        token = token.strip()
        if not token:
            continue
        token = token[:MAX_TERM_CHARS]
        if IS_CJK.search(token) or ASCII_WORD.match(token):
            if _keep(token):
                out.append(token)
        else:
            # Mixed tokens ("vr眼镜", "a-b") are split into their CJK and ASCII words.
            out.extend(t for t in re.findall(f"[{_CJK}]+|[a-z0-9]+", token) if _keep(t))
    return out


def index_tokens(text: str) -> list[str]:
    """Search-mode words of a text (long words and the dictionary words inside them)."""
    return _clean(lexicon.cut_for_search(fold(text)))


def query_words(text: str) -> list[str]:
    """Precise-mode words of a query, in order, without stopwords or punctuation."""
    return _clean(lexicon.cut(fold(text)))


@lru_cache(maxsize=65536)
def to_pinyin(word: str) -> tuple[str, str]:
    """Full pinyin and initials of a CJK word ("嵖岈山" → ("chayashan", "cys"))."""
    syllables = [s for s in lazy_pinyin(word, errors="ignore") if s.isalpha()]
    return "".join(syllables), "".join(s[0] for s in syllables)


MAX_READINGS = 8


@lru_cache(maxsize=65536)
def pinyin_readings(word: str) -> tuple[tuple[str, str], ...]:
    """Every plausible reading of a short word (多音字: 薄山湖 → baoshanhu, boshanhu, …), most common first."""
    primary = to_pinyin(word)
    if len(word) > 6:
        return (primary,)
    options = [[s for s in syllables if s.isalpha()] for syllables in pinyin(word, style=Style.NORMAL, heteronym=True)]
    options = [o for o in options if o]
    readings = [primary]
    combos = [[]]
    for syllables in options:
        combos = [c + [s] for c in combos for s in syllables][: MAX_READINGS * 4]
    for combo in combos:
        reading = ("".join(combo), "".join(s[0] for s in combo))
        if reading not in readings:
            readings.append(reading)
        if len(readings) >= MAX_READINGS:
            break
    return tuple(readings)


def pinyin_tokens(text: str) -> set[str]:
    """Full pinyin and initials of each word (all its readings) and of each whole CJK run of a text."""
    folded = fold(text)
    out: set[str] = set()
    # Search mode: the pinyin of "确山打铁花" covers "dth" (打铁花) as well as "qsdth".
    words = {w for w in lexicon.cut_for_search(folded) if CJK_RUN.fullmatch(w) and w not in STOPWORDS and len(w) >= 2}
    for word in words:
        for full, initials in pinyin_readings(word[:MAX_TERM_CHARS]):
            out.update(t for t in (full[:MAX_TERM_CHARS], initials) if len(t) >= 2)
    for run in CJK_RUN.findall(folded):
        if len(run) >= 2:
            full, initials = to_pinyin(run[:MAX_TERM_CHARS])
            out.update(t for t in (full[:MAX_TERM_CHARS], initials) if len(t) >= 2)
    return out


def bigrams(text: str) -> set[str]:
    """Character bigrams of every CJK run: they let part of an unknown word still match."""
    out: set[str] = set()
    for run in CJK_RUN.findall(fold(text)):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


# --- synonyms ------------------------------------------------------------------------------------


def synonym_map(rows: Iterable[Iterable[str]]) -> dict[str, set[str]]:
    """{term: every other term of its synonym sets}, folded, from sets like ("红色文化", "革命传统")."""
    mapping: dict[str, set[str]] = {}
    for row in rows:
        terms = {fold(t).strip() for t in row if t and t.strip()}
        for term in terms:
            mapping.setdefault(term, set()).update(terms - {term})
    return mapping


def split_synonym_terms(text: str) -> list[str]:
    """The terms of one synonym set as the admin typed them (comma, 、, ；, newline or spaces)."""
    return [t.strip() for t in re.split(r"[,，、;；\n\r\t ]+", text or "") if t.strip()]


# --- queries -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """One unit of meaning in a query: a document matches it through any of its terms.

    `terms` match index terms exactly; `prefixes` match index terms that start with them (pinyin
    being typed). An exact match scores the term's field weight, a prefix match half of it.
    """

    terms: frozenset[str]
    prefixes: frozenset[str] = frozenset()
    source: str = ""


@dataclass(frozen=True)
class Tier:
    """A set of groups of which at least `min_match` must match; scores add up over groups."""

    groups: tuple[Group, ...]
    min_match: int
    # Optional groups that only add to the score (adjacent characters of a typed phrase).
    boosts: tuple[Group, ...] = ()


@dataclass
class QueryPlan:
    text: str
    tiers: list[Tier] = field(default_factory=list)
    # Something was typed but nothing searchable survived (only punctuation or stopwords).
    nothing: bool = False
    highlight_terms: set[str] = field(default_factory=set)
    pinyin: set[str] = field(default_factory=set)

    @property
    def is_empty(self) -> bool:
        """No query: browse everything (with filters). Not the same as a query matching nothing."""
        return not self.tiers and not self.nothing


def clean_query(raw: str) -> str:
    text = "".join(ch for ch in fold(raw)[: MAX_QUERY_CHARS * 2] if ch.isprintable() or ch.isspace())
    text = re.sub(r"\s+", " ", text).strip()
    return text[:MAX_QUERY_CHARS]


def plan_query(raw: str, synonyms: dict[str, set[str]] | None = None) -> QueryPlan:
    """Turn what a user typed into tiers of groups, tried in order until one matches.

    1. for pinyin typed with spaces ("cha ya shan"): the words joined ("chayashan");
    2. every word must match (through itself, its synonyms or its pinyin);
    3. relaxed: any word, the pinyin of the whole query (homophone typos such as 查牙山) or any
       character bigram; documents matching more of them rank first.
    """
    synonyms = synonyms or {}
    text = clean_query(raw)
    plan = QueryPlan(text=text)
    if not text:
        return plan
    words = query_words(text)
    # A synonym set may be a phrase that jieba splits; look the whole query up as well.
    if text in synonyms and len(words) > 1:
        words = [text]
    words = list(dict.fromkeys(words))[:MAX_GROUPS]
    if not words:
        plan.nothing = True
        return plan
    groups = []
    for word in words:
        terms = {word}
        prefixes: set[str] = set()
        alternatives = {word} | synonyms.get(word, set())
        for alt in alternatives:
            alt_words = query_words(alt)
            if alt_words == [alt] or not alt_words:
                terms.add(alt)
            else:
                terms.add(alt)
                terms.update(w for w in alt_words if len(w) >= 2)
            plan.highlight_terms.add(alt)
        if CJK_RUN.fullmatch(word):
            if len(word) >= 2:
                full, _initials = to_pinyin(word)
                if full:
                    terms.add(full)
        elif ALPHA_WORD.match(word) and len(word) >= 2:
            prefixes.add(word)
            plan.pinyin.add(word)
        groups.append(Group(terms=frozenset(terms), prefixes=frozenset(prefixes), source=word))
    # Phrase evidence: character bigrams of what was typed (stopwords included, "湖的", "的候") that
    # are not words of the query already; titles that contain the phrase as typed rank first.
    group_terms = set().union(*(g.terms for g in groups))
    phrase = sorted({g for run in CJK_RUN.findall(text) if len(run) >= 3 for g in bigrams(run)} - group_terms)
    boosts = tuple(Group(terms=frozenset({g}), source=g) for g in phrase[:MAX_GROUPS])
    ascii_words = [w for w in words if ALPHA_WORD.match(w)]
    if len(ascii_words) > 1 and len(ascii_words) == len(words):
        # Pinyin typed with spaces ("cha ya shan"): the joined word first, it is the precise reading.
        joined = "".join(ascii_words)[:MAX_TERM_CHARS]
        plan.pinyin.add(joined)
        plan.tiers.append(Tier(groups=(Group(terms=frozenset({joined}), prefixes=frozenset({joined}), source=joined),), min_match=1))
    plan.tiers.append(Tier(groups=tuple(groups), min_match=len(groups), boosts=boosts))

    relaxed = list(groups)
    runs = CJK_RUN.findall(text)
    if runs:
        full = "".join(to_pinyin(run)[0] for run in runs)[:MAX_TERM_CHARS]
        if len(full) >= 2:
            relaxed.append(Group(terms=frozenset({full}), prefixes=frozenset({full}), source=full))
        grams = sorted(set().union(*(bigrams(run) for run in runs)) - set().union(*(g.terms for g in groups)))
        relaxed.extend(Group(terms=frozenset({g}), source=g) for g in grams[:MAX_GROUPS])
    if len(relaxed) > 1 or len(groups) > 1:
        plan.tiers.append(Tier(groups=tuple(relaxed), min_match=1))
    return plan


# --- highlighting --------------------------------------------------------------------------------


def highlight(text: str, plan: QueryPlan, *, snippet_chars: int | None = None) -> str:
    """HTML-escaped `text` with the matched terms wrapped in <mark>; optionally a snippet around the
    first match. Pinyin queries mark the CJK words whose pinyin starts with what was typed."""
    text = text or ""
    if not plan.text:
        return html.escape(text[:snippet_chars] if snippet_chars else text)
    folded = fold(text)
    # fold() keeps the length for CJK and ASCII text; if not (rare NFKC expansions) fall back.
    if len(folded) != len(text):
        folded = text.lower()
    spans: list[tuple[int, int]] = []
    needles = {t for t in plan.highlight_terms if t and len(t) <= MAX_TERM_CHARS}
    for needle in sorted(needles, key=len, reverse=True):
        start = folded.find(needle)
        while start != -1:
            spans.append((start, start + len(needle)))
            start = folded.find(needle, start + len(needle))
    if plan.pinyin or not spans:
        wanted = plan.pinyin | {to_pinyin(w)[0] for w in needles if CJK_RUN.fullmatch(w) and len(w) >= 2}
        wanted.discard("")
        if wanted:
            position = 0
            for word in lexicon.cut(folded):
                if CJK_RUN.fullmatch(word) and len(word) >= 2:
                    if any(
                        full.startswith(p) or initials.startswith(p) or p.startswith(full)
                        for full, initials in pinyin_readings(word)
                        for p in wanted
                    ):
                        spans.append((position, position + len(word)))
                position += len(word)
    spans = _merge(spans)
    start, end = 0, len(text)
    if snippet_chars and len(text) > snippet_chars:
        first = spans[0][0] if spans else 0
        start = max(0, min(first - snippet_chars // 4, len(text) - snippet_chars))
        end = start + snippet_chars
    out, cursor = [], start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(html.escape(text[cursor:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        cursor = e
    out.append(html.escape(text[cursor:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + "".join(out) + suffix


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged
