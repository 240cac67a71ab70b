"""Goal terms and how strongly each line of the text matches them.

An agent's goal ("fix parse_headers when cookies are empty") and the text speak
through identifiers, so both are split the same way: snake_case, camelCase,
dotted paths and ``::`` become parts, parts are lightly stemmed so ``cookies``
meets ``Cookie`` and ``parsing`` meets ``parse``. Words every commit subject
uses (fix, add, support, ...) say nothing about *where* to look and weigh
little; a term that is rare inside *this* text says a lot (inverse document
frequency over the text's own lines). Whole compound identifiers from the goal
(``parse_headers``, ``Session.send``), and the compound parts of a qualified one
(``AxiosError`` in ``AxiosError.config``), get an extra bonus when they occur intact.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

from ._literals import any_of

__all__ = [
    "SCAN_CHARS",
    "GoalTerms",
    "LineHeads",
    "goal_terms",
    "line_words",
    "lines_containing",
    "lowered_heads",
    "phrase_hits",
    "score_lines",
    "stem",
    "stems_hint",
    "word_parts",
]

_IDENT: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:(?:\.|::|->)[A-Za-z_][A-Za-z0-9_]*)*|\d+")
_PART: Final = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_QUALIFIER: Final = re.compile(r"\.|::|->")
_SUBSCRIPT: Final = re.compile(r"[A-Za-z_][\w.]*\[[^\]\s]{1,40}\]")
"""A name with its subscript (``test_round[7]``, ``map[string]string``): matched as written, since
the subscript alone is a lone digit or a common word."""
_LINE_PART: Final = re.compile(r"[A-Z]{2,}(?![a-z])|[A-Z]?[a-z]{2,}|[A-Z]|\d{2,}")
_VERSIONED: Final = re.compile(r"[A-Za-z]{1,12}\d{1,6}")
"""A name that ends in its number (``ie9``, ``v8``): when none of its parts is a term (``ie`` is a
stop word, a lone digit is dropped) it is a term of its own, matched as written
(:func:`_versioned_hits`). ``utf8`` or ``ios11`` keep their parts: ``utf``, ``ios``, ``11``."""
_NOT_AFTER: Final = frozenset("0123456789")
_FILE_NAME: Final = re.compile(r"\.[a-z][a-z0-9]{0,4}$")
"""A goal compound ending in an extension (``views.py``, ``_diff.py``) names a file: it is matched as a
whole name (:func:`_file_name_in`), so ``test_views.py`` or ``views.pyc`` is not the file named."""
_NAME_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")
_NOT_BEFORE: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")

_QUESTION: Final = frozenset({"how", "what", "which", "why", "who", "whom", "whose"})
"""Stop words in a question, names when the goal writes them as code (``which()``, `` `what` ``)."""

# fmt: off
_STOP: Final = frozenset({
    "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "from", "with", "without", "into",
    "onto", "over", "under", "and", "or", "not", "no", "nor", "is", "are", "was", "were", "be", "been",
    "being", "it", "its", "this", "that", "these", "those", "as", "if", "then", "than", "so", "such",
    "there", "here", "i", "we", "you", "he", "she", "they", "them", "our", "your", "their", "my", "me",
    "us", "do", "does", "did", "done", "can", "could", "should", "would", "will", "shall", "may",
    "might", "must", "also", "just", "only", "very", "too", "more", "most", "less", "some", "any",
    "all", "each", "every", "other", "about", "after", "before", "again", "via", "per", "vs", "etc",
    "eg", "ie", "s", "t",
}) | _QUESTION
# fmt: on

# fmt: off
_GENERIC: Final = frozenset({
    "fix", "fixe", "fixed", "fixes", "fixing", "add", "added", "adds", "adding", "support", "supports",
    "supported", "make", "makes", "made", "making", "when", "while", "use", "uses", "used", "using",
    "allow", "allows", "allowed", "update", "updates", "updated", "remove", "removes", "removed",
    "removing", "change", "changes", "changed", "changing", "handle", "handles", "handled", "handling",
    "improve", "improved", "improves", "improvement", "refactor", "refactored", "cleanup", "clean",
    "cleaned", "move", "moved", "rename", "renamed", "bump", "bumped", "new", "now", "better",
    "correct", "correctly", "properly", "proper", "issue", "issues", "bug", "bugs", "minor", "small",
    "typo", "typos", "tweak", "tweaks", "version", "release", "merge", "merged", "pull", "request",
    "branch", "master", "main", "revert", "reverted", "test", "tests", "testing", "doc", "docs",
    "documentation", "comment", "comments", "code", "case", "cases", "work", "works", "working", "way",
    "ensure", "instead", "let", "set", "get", "should", "don", "doesn", "isn", "wasn", "won", "can't",
    "dont", "check", "checks", "checking", "need", "needs", "possible", "prevent", "avoid", "default",
    "where",
})
# fmt: on
"""Words that describe the kind of change, not where it happens: they weigh little."""

_ABOUT_COMMENTS: Final = re.compile(
    r"(?i)\b(?:comments?|commented|docstrings?|docs?|documentation|documented|documenting|javadocs?|jsdoc|"
    r"rustdoc|godoc|typos?|spelling|misspell\w*|grammar|wording|explain\w*|clarif\w*|todos?|fixmes?)\b"
)
"""Words saying the change is in comments or documentation (see :attr:`GoalTerms.about_comments`)."""

_COMMIT_SCOPE: Final = re.compile(r"\s*[A-Za-z]+\(([^()\n]{1,80})\)!?:\s")
"""A conventional commit's type and scope (``fix(parser): ``): the scope names a part of the project."""
_AREA: Final = re.compile(r"\s*([a-z][a-z0-9_/.-]*):\s")
"""A lowercase part of the project before a colon (``walk: ``, ``requests/auth: ``), as a scope."""
_NOT_AREA: Final = frozenset(
    {"error", "errors", "warning", "warn", "panic", "fatal", "exception", "failed", "failure", "crash", "bug"}
)
"""Words before a colon that start a pasted message (``panic: index out of range``), not an area."""
_WRITTEN_AS_NAME: Final = re.compile(r"[A-Z]|_")
"""A goal word with a capital or an underscore is written as a name (``Config``), not a word (``config``)."""

_GENERIC_WEIGHT: Final = 0.25
_PHRASE_BONUS: Final = 1.5
_MIN_IDF_SHARE: Final = 0.02


_STEMS: dict[str, str] = {}
_ION_MIN: Final = 8
"""Nouns in -ion (8+ letters) lose it, so they meet their verb: ``validation`` and ``validate``."""
_AT_MIN: Final = 8
"""Then a stem in -at of 8+ letters loses it too, so a noun in -ation meets a verb that has no -ate:
``installation`` and ``install``, ``configuration`` and ``configure``, ``information`` and ``inform``
(``validat``, seven letters, stays, as ``validate`` does)."""
_STEM_CACHE_MAX: Final = 200_000
_ABBREVIATION_WEIGHT: Final = 0.35
"""A goal word's abbreviation (:data:`_ABBREVIATIONS`) weighs this share of the word: more than a
generic word, as it names the same thing, less than the word as written, which is surer."""
SCAN_CHARS: Final = 400
"""Only the head of a very long line is tokenised (a minified line or a log payload)."""


def stem(word: str) -> str:
    """Very light suffix stripping, applied identically to goal and text (consistency beats grammar).

    Memoised in a plain dict: cheaper than ``lru_cache`` on this hot path, and
    a racing insert from another thread only stores the same value twice.
    """
    s = _STEMS.get(word)
    if s is None:
        if len(_STEMS) > _STEM_CACHE_MAX:
            _STEMS.clear()
        s = _STEMS[word] = _stem(word)
    return s


# fmt: off
_ABBREVIATIONS: Final[dict[str, tuple[str, ...]]] = {
    "address": ("addr",), "allocate": ("alloc",), "application": ("app",), "argument": ("arg",),
    "attribute": ("attr",), "authenticate": ("auth",), "authorize": ("auth",), "button": ("btn",),
    "calculate": ("calc",), "certificate": ("cert",), "column": ("col",), "command": ("cmd",),
    "configure": ("config", "cfg"), "connection": ("conn",), "context": ("ctx",), "count": ("cnt",),
    "database": ("db",), "dependency": ("dep",), "destination": ("dst", "dest"), "directory": ("dir",),
    "environment": ("env",), "execute": ("exec",), "expression": ("expr",), "header": ("hdr",),
    "image": ("img",), "initialize": ("init",), "initialise": ("init",), "interface": ("iface",),
    "language": ("lang",), "library": ("lib",), "manager": ("mgr",), "memory": ("mem",),
    "message": ("msg",), "navigation": ("nav",), "option": ("opt",), "package": ("pkg",),
    "parameter": ("param",), "password": ("pwd", "passwd"), "permission": ("perm",), "pointer": ("ptr",),
    "position": ("pos",), "preference": ("pref",), "previous": ("prev",), "property": ("prop",),
    "reference": ("ref",), "repository": ("repo",), "separator": ("sep",), "sequence": ("seq",),
    "source": ("src",), "statement": ("stmt",), "template": ("tmpl",), "utility": ("util",),
}
# fmt: on
"""Abbreviations code writes for a word, each read the same way in any codebase (a word's other forms
share its stem: ``configuration``, ``initialization``). Left out: those that are a keyword, a builtin or
a usual variable name in some language (``fn``, ``func``, ``len``, ``str``, ``val``, ``err``, ``impl``,
``async``, ``info``), as a goal's word would then point at every line using it, and those of several
words (``res``, ``desc``, ``spec``: ``specific`` stems like ``specification``). A goal's ``parameters``
is also looked for as ``params``, at :data:`_ABBREVIATION_WEIGHT`."""


def _stem(word: str) -> str:
    w = word.lower()
    if len(w) <= 3 or w.isdigit():
        return w
    if w.endswith("ing") and len(w) > 5:
        w = w[:-3]
    elif (w.endswith("ed") and len(w) > 4) or (w.endswith("es") and len(w) > 4):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        w = w[:-1]
    if w.endswith("ion") and len(w) >= _ION_MIN:  # negotiation -> negotiat, like negotiate
        w = w[:-3]
    if len(w) > 3 and w[-1] in "ey":
        w = w[:-1] + ("i" if w[-1] == "y" else "")
    if w.endswith("at") and len(w) >= _AT_MIN:  # installat(ion) -> install, configurat -> configur(e)
        w = w[:-2]
    return w


_SHORT: Final = {stem(word): tuple(map(stem, shorts)) for word, shorts in _ABBREVIATIONS.items()}
"""The stem of a word -> the stems of its abbreviations."""


def word_parts(text: str) -> list[str]:
    """Stemmed identifier parts of ``text`` (single letters and one-digit numbers dropped)."""
    get = _STEMS.get
    out: list[str] = []
    for p in _LINE_PART.findall(text):
        if len(p) > 1:
            out.append(get(p) or stem(p))
    return out


def line_words(text: str) -> list[str]:
    """Identifier parts of ``text`` as written, lowercased (single letters and one-digit numbers dropped)."""
    return [p.lower() for p in _LINE_PART.findall(text) if len(p) > 1]


@dataclass(frozen=True, slots=True)
class GoalTerms:
    """What the goal asks for: stemmed parts with a base weight, intact compound identifiers, and
    the words as written (lowercased, stop words dropped) for the line-local channel."""

    weights: dict[str, float]
    phrases: tuple[str, ...]
    words: tuple[str, ...] = ()
    versioned: tuple[str, ...] = ()
    """The keys of ``weights`` that are names ending in a number, matched as written."""
    about_comments: bool = False
    """The goal is about comments or documentation (``Fix typo in docstring``, ``Update comments``):
    a match inside a comment is then the change itself, not a mention of the code it describes."""

    @property
    def empty(self) -> bool:
        return not self.weights

    @property
    def generic(self) -> frozenset[str]:
        """The generic words: they say what kind of change, not where (a heading naming one shows little)."""
        return frozenset(t for t, w in self.weights.items() if w <= _GENERIC_WEIGHT)


def _written_as_code(goal: str, start: int, end: int) -> bool:
    """The goal writes this identifier as code: called (``which()``), in backticks, or joined to
    another word by a qualifier or an underscore (``shutil.which``, ``who_am_i``)."""
    ident = goal[start:end]
    if "_" in ident or _QUALIFIER.search(ident) is not None:
        return True
    return goal[end : end + 1] == "(" or (goal[start - 1 : start] == "`" and goal[end : end + 1] == "`")


def _is_term(low: str, named: bool) -> bool:
    """A lowercased part of the goal that is a term: not a single character, not a stop word
    (a question word written as code is a name)."""
    return len(low) >= 2 and (low not in _STOP or (named and low in _QUESTION))


def _locator_starts(head: str, containers: frozenset[str]) -> set[int]:
    """Where the goal's identifiers that say which file, not where in it, start: those of a
    conventional commit's scope (``fix(parser): ...``) or of an area before a colon (``walk: ...``),
    and a name of what holds the whole text (``containers``, its class) written as a name
    (``RestMethodInfo``, not ``config``) or spelled in two or three words (``OkHttp Call``)."""
    out: set[int] = set()
    scope = _COMMIT_SCOPE.match(head)
    if scope is None and (area := _AREA.match(head)) is not None and area.group(1) not in _NOT_AREA:
        scope = area
    if scope is not None:
        out.update(m.start() for m in _IDENT.finditer(head, scope.start(1), scope.end(1)))
    if containers:
        idents = list(_IDENT.finditer(head))
        out.update(
            m.start()
            for m in idents
            if m.group().lower() in containers and _WRITTEN_AS_NAME.search(m.group()) is not None
        )
        # The name spelled in words (``OkHttp Call`` for ``OkHttpCall``): two or three in a row.
        for k in range(len(idents) - 1):
            joined = idents[k].group()
            for j in range(k + 1, min(k + 3, len(idents))):
                if not head[idents[j - 1].end() : idents[j].start()].isspace():
                    break
                joined += idents[j].group()
                if joined.lower() in containers:
                    out.update(m.start() for m in idents[k : j + 1])
    return out


def goal_terms(goal: str, containers: frozenset[str] | None = None) -> GoalTerms:
    """Split the goal into weighted terms; generic words weigh little, stop words nothing.

    ``containers``, for source code only: the lowercased names of what holds the whole text (a
    Java file's class). The goal's words that only locate the file (:func:`_locator_starts`) are
    then left out while a specific term remains: inside the file they name, they point everywhere,
    or at its constructor. ``None`` (a log, a document): every word counts (``error: ...`` is a
    log's message).
    """
    head = goal[:4000]
    skip = _locator_starts(head, containers) if containers is not None else set()
    if skip:
        terms = _goal_terms(head, skip)
        if any(w > _GENERIC_WEIGHT for w in terms.weights.values()):
            return terms
    return _goal_terms(head, set())


def _goal_terms(head: str, skip: set[int]) -> GoalTerms:
    weights: dict[str, float] = {}
    phrases: list[str] = []
    words: dict[str, None] = {}
    versioned: dict[str, None] = {}
    for m in _SUBSCRIPT.finditer(head):
        low = m.group().lower()
        if low not in phrases and len(phrases) < 16:
            phrases.append(low)
    for m in _IDENT.finditer(head):
        if m.start() in skip:
            continue
        ident = m.group()
        named = _written_as_code(head, m.start(), m.end())
        parts = _PART.findall(ident)
        # The whole identifier, and each compound part of a qualified one: ``AxiosError.config``
        # also names the class ``AxiosError``, which the text mostly shows on its own.
        pieces = _QUALIFIER.split(ident)
        for piece in ident.split("_") if "_" in ident else pieces:
            low = piece.lower()
            if (
                len(low) >= 3
                and _VERSIONED.fullmatch(low) is not None
                and low not in versioned
                and not any(_is_term(p.lower(), named) for p in _PART.findall(piece))
            ):
                versioned[low] = None
                weights[low] = 1.0
        for piece in (ident, *pieces) if len(pieces) > 1 else (ident,):
            low = piece.lower()
            if len(piece) >= 6 and len(_PART.findall(piece)) > 1 and low not in phrases and len(phrases) < 16:
                phrases.append(low)
        for raw in parts:
            low = raw.lower()
            if not _is_term(low, named):
                continue
            words[low] = None
            s = stem(low)
            w = _GENERIC_WEIGHT if (low in _GENERIC or s in _GENERIC) else 1.0
            weights[s] = max(weights.get(s, 0.0), w)
    for word, w in list(weights.items()):
        for short in _SHORT.get(word, ()):
            weights[short] = max(weights.get(short, 0.0), w * _ABBREVIATION_WEIGHT)
    about = _ABOUT_COMMENTS.search(head) is not None
    return GoalTerms(weights, tuple(phrases), tuple(words), tuple(versioned), about)


_DENSE: Final = 8
"""A pattern found on more than one line in 8 is tested line by line (after :data:`_DENSE_MIN` hits)."""
_DENSE_MIN: Final = 32


@dataclass(frozen=True, slots=True)
class LineHeads:
    """Each line's first :data:`SCAN_CHARS` characters, lowercased (``lines``): what the substring
    scans search. They are also joined by ``\n`` once (``joined``, where line ``i`` starts at
    ``starts[i]``), so that every scan of one analysis searches the same string at C speed."""

    lines: list[str]
    joined: str
    compounds: dict[str, list[int]] = field(default_factory=dict)
    """The lines holding each goal compound, once found (:func:`_compound_hits`): the term scan gives
    their lines a bonus, and documents, logs and diffs look them up again for their sections."""
    _starts: list[int] = field(default_factory=list)

    @property
    def starts(self) -> list[int]:
        """Where each line starts in ``joined``: summed at the first hit, as a text the goal's words
        are not found in needs none (an int per line: most of the cost of building these heads)."""
        if not self._starts:
            lengths = map((1).__add__, map(len, self.lines))  # + 1: the ``\n``
            self._starts.extend(itertools.accumulate(lengths, initial=0))
        return self._starts

    def matching(self, pattern: re.Pattern[str]) -> list[int]:
        """Indices of the lines where ``pattern`` (which never matches a ``\n``) is found, in order.

        A search of the joined text skips the lines without a match at C speed; a hit costs a
        bisect and a new search from the next line. Once more than one line in :data:`_DENSE`
        has matched so far (a short number, a word of every line), the lines left are tested
        one by one, which is cheaper than a search per line.
        """
        joined, search = self.joined, pattern.search
        out: list[int] = []
        m = search(joined)
        if m is None:
            return out
        starts = self.starts
        while m is not None:
            i = bisect.bisect_right(starts, m.start()) - 1
            out.append(i)
            if len(out) >= _DENSE_MIN and len(out) * _DENSE > i:
                heads = self.lines
                out += [j for j in range(i + 1, len(heads)) if search(heads[j])]
                break
            m = search(joined, starts[i + 1])
        return out


def lowered_heads(lines: Sequence[str]) -> LineHeads:
    """The :class:`LineHeads` of ``lines``: built once per text, shared by its scans."""
    # C-level maps, without a Python step per line: most texts have no line to cut.
    if max(map(len, lines), default=0) <= SCAN_CHARS:
        heads = list(map(str.lower, lines))
    else:
        heads = [line[:SCAN_CHARS].lower() for line in lines]
    return LineHeads(heads, "\n".join(heads))


def lines_containing(lowered: LineHeads, needles: Iterable[str]) -> list[int]:
    """Indices of the lines holding at least one of ``needles`` (plain substrings, no ``\n``), in order."""
    unique = set(needles)
    if not unique or "" in unique:  # none, or the empty one: no line, or every line
        return [] if not unique else list(range(len(lowered.lines)))
    return lowered.matching(any_of(unique))


@lru_cache(maxsize=256)
def _roots(stems: tuple[str, ...]) -> tuple[str, ...]:
    """Substrings, one of which any line holding one of ``stems`` must contain.

    A stem is a prefix of every word form it comes from, once a final ``i``
    (from ``y``) is dropped: ``entri`` comes from ``entry`` and ``entries``.
    """
    return tuple(sorted({s[:-1] if s.endswith("i") and len(s) > 3 else s for s in stems}))


def stems_hint(stems: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern found in the lowercased text of whatever holds a word part stemming to one of
    ``stems`` (their :func:`_roots`); ``None`` for no stems. Where it is not found,
    :func:`word_parts` would find none of them: a name need not be split."""
    key = tuple(sorted(stems))
    return any_of(_roots(key)) if key else None


def score_lines(
    lines: Sequence[str], goal: GoalTerms, lowered: LineHeads | None = None
) -> tuple[list[float], dict[str, float], dict[str, list[int]]]:
    """Per-line match strength: sum of goal-term weight x IDF, plus a bonus for intact compounds.

    Returns the scores, the effective weight of each goal term (weight x IDF),
    which callers reuse to score blocks and their names, and the lines holding each term.
    """
    n = len(lines)
    scores = [0.0] * n
    if goal.empty or n == 0:
        return scores, {}, {}
    targets = goal.weights
    hits: dict[str, list[int]] = {t: [] for t in targets}
    # A cheap case-insensitive substring pass finds the few candidate lines; only those are tokenised.
    if lowered is None:
        lowered = lowered_heads(lines)
    candidates = lines_containing(lowered, _roots(tuple(sorted(targets))))
    for i in candidates:
        for p in word_parts(lines[i][:SCAN_CHARS]):
            lst = hits.get(p)
            if lst is not None and (not lst or lst[-1] != i):
                lst.append(i)
    for term in goal.versioned:
        hits[term] = _versioned_hits(lowered.lines, candidates, term)
    eff: dict[str, float] = {}
    for term, idx in hits.items():
        df = len(idx)
        if df == 0:
            continue
        idf = math.log(1.0 + (n + 1.0) / (df + 0.5))
        share = df / n
        w = targets[term] * idf * (0.3 if share > 0.5 else 1.0)
        if share < _MIN_IDF_SHARE or df <= 3:
            w *= 1.15
        eff[term] = w
        for i in idx:
            scores[i] += w
    if goal.phrases:
        bonus = _PHRASE_BONUS * max(eff.values(), default=1.0)
        among = set(candidates)  # the bonus is for a candidate line's compounds only
        for ph in goal.phrases:
            for i in _compound_hits(lowered, ph):
                if i in among:
                    scores[i] += bonus
    return scores, eff, {t: idx for t, idx in hits.items() if idx}


def _found_alone(low: str, needle: str, not_before: frozenset[str], not_after: frozenset[str]) -> bool:
    """``needle`` in ``low`` with no character of ``not_before`` just before it, and none of
    ``not_after`` just after it, at one of its places at least."""
    pos = low.find(needle)
    size = len(needle)
    while pos >= 0:
        end = pos + size
        if (pos == 0 or low[pos - 1] not in not_before) and (end >= len(low) or low[end] not in not_after):
            return True
        pos = low.find(needle, pos + 1)
    return False


def _file_name_in(low: str, name: str) -> bool:
    """``name`` (``views.py``) in ``low`` as a file's whole name: not the end of another one
    (``test_views.py``) nor the start of a longer one (``views.pyc``)."""
    return _found_alone(low, name, _NAME_CHARS, _NAME_CHARS)


def _versioned_hits(lowered: Sequence[str], candidates: Sequence[int], term: str) -> list[int]:
    """The candidate lines holding ``term`` (``ie9``) as a name of its own or the end of one
    (``SL_IE9``, ``ipv6_addr``), not inside a longer word or number (``tie9``, ``ie90``)."""
    return [i for i in candidates if _found_alone(lowered[i], term, _NOT_BEFORE, _NOT_AFTER)]


def phrase_hits(
    lowered: LineHeads, goal: GoalTerms, term_weight: dict[str, float]
) -> dict[str, tuple[float, list[int]]]:
    """Each intact compound of the goal found in the text: the bonus :func:`score_lines` gives it
    on a line, and the lines holding it."""
    if not goal.phrases or not term_weight:
        return {}
    bonus = _PHRASE_BONUS * max(term_weight.values())
    out: dict[str, tuple[float, list[int]]] = {}
    for ph in goal.phrases:
        idx = _compound_hits(lowered, ph)
        if idx:
            out[ph] = (bonus, idx)
    return out


def _compound_hits(lowered: LineHeads, phrase: str) -> list[int]:
    """The lines holding an intact compound of the goal; one naming a file, as that file's whole name."""
    idx = lowered.compounds.get(phrase)
    if idx is None:
        idx = lines_containing(lowered, (phrase,))
        if _FILE_NAME.search(phrase) is not None:
            heads = lowered.lines
            idx = [i for i in idx if _file_name_in(heads[i], phrase)]
        lowered.compounds[phrase] = idx
    return idx
