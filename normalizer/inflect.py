"""Case forms of Greek and Russian names as extra matcher keys (rules: ``inflection`` in ``data/affixes.yaml``).

Greek and Russian decline names: *η Συρία / της Συρίας*, *Сирия / Сирии / Сирию / Сирией*.  When the tables are
loaded, :func:`with_inflections` gives every Greek or Russian alias its case forms as extra aliases for the matcher
only (source ``derived:inflected``: ``Normalizer.entity()`` and the tables list only the table aliases; the variant
index leaves derived aliases out).  The matcher stays as it is: an inflected form is one more key, matched at word
boundaries with the case rule of the alias it comes from; a form whose key is a table alias is never added.
:func:`restore_inflected` then reports such a mention with ``inflected=True`` and the table alias as ``alias``.

>>> inf = default_inflector()
>>> inf.forms("Сирия", "ru")
{'gen': 'Сирии', 'dat': 'Сирии', 'acc': 'Сирию', 'ins': 'Сирией', 'prep': 'Сирии'}
>>> inf.forms("Исламское государство", "ru")["gen"]
'Исламского государства'
>>> inf.forms("Συρία", "el"), inf.forms("Δαμασκός", "el")
({'gen': 'Συρίας'}, {'gen': 'Δαμασκού', 'acc': 'Δαμασκό'})
>>> inf.forms("Алеппо", "ru"), inf.forms("НАТО", "ru"), inf.forms("Ιράκ", "el")
({}, {}, {})
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import product
from pathlib import Path
from typing import Any

import yaml

from .fold import DATA_DIR, Folder
from .tables import TableSet
from .types import Alias, Entity, Mention, new_mention

SOURCE = "derived:inflected"  # source of the matcher's inflected aliases (decide.DERIVED + "inflected")
MAX_FORMS = 8  # forms per alias and case at most (several endings in several words multiply)
_SCRIPTS = {"greek": ("\u0370", "\u03ff"), "cyrillic": ("\u0400", "\u04ff")}
_ANY_SCRIPT = re.compile("[" + "".join(f"{lo}-{hi}" for lo, hi in _SCRIPTS.values()) + "]")


@dataclass(frozen=True)
class Rule:
    """A nominative ending and its case endings (``forms[case]``: one or more endings)."""

    ending: str
    forms: dict[str, tuple[str, ...]]
    adjective: bool


@dataclass(frozen=True)
class Language:
    """The inflection rules of one language."""

    code: str
    script: tuple[str, str]  # code point range of the script's letters
    langs: frozenset[str]
    rules: dict[str, Rule]  # ending -> rule (class endings like "Cа" already expanded per consonant)
    longest: int
    single_word_never: frozenset[str]

    def in_script(self, word: str) -> bool:
        """Has letters, all of them in the script."""
        has, other = _script_res(self.script)
        return has.search(word) is not None and other.search(word) is None


@lru_cache(maxsize=8)
def _script_res(script: tuple[str, str]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(a letter of the script, a letter outside it)."""
    lo, hi = script
    return re.compile(f"[{lo}-{hi}]"), re.compile(rf"[^\W\d_{lo}-{hi}]")


def _light(word: str) -> str:
    """Lower case, Greek accents removed, final sigma as sigma: one character per character (rule matching)."""
    out = []
    for c in word.lower():
        if "\u0370" <= c <= "\u03ff":
            c = unicodedata.normalize("NFD", c)[0]
            c = "σ" if c == "ς" else c
        out.append(c)
    return "".join(out)


_TONOS = dict(zip("αεηιουω", "άέήίόύώ", strict=True))
_PLAIN = {v: k for k, v in _TONOS.items()}


def _replace_ending(word: str, old: str, new: str) -> str:
    """``word`` with its (light-folded) ending ``old`` replaced by ``new``; the letters the two endings share stay
    as written (accents, case).  Greek: a final sigma is written ς, and a stressed last syllable stays stressed
    (Δαμασκός -> Δαμασκού, Αραβικά -> Αραβικών).  Only the folded key matters for matching; this is
    the spelling that resolve() and explanations may show."""
    keep = 0
    while keep < min(len(old), len(new)) and old[keep] == new[keep]:
        keep += 1
    start = len(word) - len(old)  # where the ending starts
    head, tail = word[: start + keep], new[keep:]
    vowels = [i for i, c in enumerate(tail) if c in _TONOS]
    last = [c for c in word[start:].lower() if c in _TONOS or c in _PLAIN][-1:]
    if vowels and last and last[0] in _PLAIN:  # the last syllable was stressed: so is the new one
        head = word[:start] + "".join(_PLAIN.get(c, c) for c in word[start : start + keep])
        tail = tail[: vowels[-1]] + _TONOS[tail[vowels[-1]]] + tail[vowels[-1] + 1 :]
    out = head + tail
    return out[:-1] + "ς" if out.endswith("σ") else out


def _load_language(code: str, spec: dict[str, Any]) -> Language:
    consonants = spec.get("consonants", "")
    rules: dict[str, Rule] = {}
    for kind in ("noun", "adjective"):
        for raw, cases in (spec.get(kind) or {}).items():
            forms = {case: tuple(str(e) for e in (v if isinstance(v, list) else [v])) for case, v in (cases or {}).items()}
            letters = consonants if "C" in str(raw) else "C"  # a class ending: one rule per consonant
            for c in letters:
                ending = _light(str(raw).replace("C", c))
                if ending not in rules or "C" not in str(raw):  # a rule naming the letter beats the class
                    rules[ending] = Rule(ending, {k: tuple(_light(e.replace("C", c)) for e in v)
                                                  for k, v in forms.items()}, kind == "adjective")
    script = spec["script"]
    if script not in _SCRIPTS:
        raise ValueError(f"affixes.yaml inflection {code}: unknown script {script!r} (one of {', '.join(_SCRIPTS)})")
    return Language(code, _SCRIPTS[script], frozenset(spec.get("langs", [code])), rules,
                    max(map(len, rules), default=0), frozenset(_light(e) for e in spec.get("single_word_never", ())))


class Inflector:
    """Applies the ``inflection`` rules of ``affixes.yaml`` to aliases."""

    def __init__(self, path: Path | None = None) -> None:
        data = yaml.safe_load((path or DATA_DIR / "affixes.yaml").read_text(encoding="utf-8")).get("inflection") or {}
        self.min_letters = int(data.get("min_word_letters", 4))
        self.languages = [_load_language(code, spec) for code, spec in (data.get("languages") or {}).items()]
        self._langs = frozenset({"und"}.union(*(lg.langs for lg in self.languages)))

    def language_for(self, text: str, lang: str) -> Language | None:
        """The rules for an alias: its language's, or (language ``und``) those of the script it is written in."""
        for lg in self.languages:
            if (lang in lg.langs or lang == "und") and lg.in_script(text):
                return lg
        return None

    def _rule(self, lg: Language, word: str) -> Rule | None:
        if sum(c.isalpha() for c in word) < self.min_letters or word.upper() == word or not lg.in_script(word):
            return None
        light = _light(word)
        if len(light) != len(word) or not light[-1].isalpha():
            return None
        for n in range(min(lg.longest, len(light) - 2), 0, -1):
            rule = lg.rules.get(light[-n:])
            if rule is not None:
                return rule
        return None

    def forms(self, text: str, lang: str, *, person: bool = False) -> dict[str, str | tuple[str, ...]]:
        """``{case: form}`` (a tuple when several) of one alias; ``{}`` when the rules leave it as it is."""
        lg = self.language_for(text, lang)
        if lg is None:
            return {}
        words = text.split()
        options: list[dict[str, tuple[str, ...]] | None] = []
        for word in words:
            rule = self._rule(lg, word)
            if rule is not None and len(words) == 1 and rule.ending in lg.single_word_never:
                rule = None
            if rule is None:
                if not person:
                    break
                options.append(None)
                continue
            options.append({case: tuple(_replace_ending(word, rule.ending, e) for e in ends)
                            for case, ends in rule.forms.items()})
            if not person and not rule.adjective:
                break
        out: dict[str, str | tuple[str, ...]] = {}
        if len(words) == 1:  # the usual case: one word
            for case, made in (options[0] if options and options[0] else {}).items():
                if made != (text,):
                    out[case] = made[0] if len(made) == 1 else made
            return out
        cases = dict.fromkeys(case for opt in options if opt for case in opt)
        rest = words[len(options):]
        for case in cases:
            per_word = [(opt or {}).get(case, (words[i],)) for i, opt in enumerate(options)]
            made = tuple(dict.fromkeys(" ".join((*combo, *rest)) for combo in product(*per_word)))[:MAX_FORMS]
            made = tuple(m for m in made if m != text)
            if made:
                out[case] = made[0] if len(made) == 1 else made
        return out

    def entity_forms(self, ent: Entity) -> dict[str, tuple[str, Alias]]:
        """``{inflected form: (case, table alias)}`` of every alias of one entity (first alias wins a form)."""
        out: dict[str, tuple[str, Alias]] = {}
        listed = None
        for a in ent.aliases:
            if a.text.isascii() or a.lang not in self._langs or a.source.startswith("derived:") \
                    or not _ANY_SCRIPT.search(a.text):
                continue
            for case, made in self.forms(a.text, a.lang, person=ent.type == "person").items():
                listed = listed or {a.text for a in ent.aliases}
                for form in (made,) if isinstance(made, str) else made:
                    if form not in listed:
                        out.setdefault(form, (case, a))
        return out


@lru_cache(maxsize=1)
def default_inflector() -> Inflector:
    return Inflector()


def with_inflections(tables: TableSet, folder: Folder, inflector: Inflector | None = None) -> TableSet:
    """The tables plus the inflected forms of their Greek and Russian aliases, for the matcher only."""
    inflector = inflector or default_inflector()
    if not inflector.languages:
        return tables
    made: dict[str, dict[str, list[Alias]]] = {}  # key -> base key -> new aliases
    base_keys: set[str] = set()
    fk = folder.fold_key
    for eid, ent in tables.entities.items():
        scripted = [a for a in ent.aliases if not a.text.isascii() and _ANY_SCRIPT.search(a.text)]
        if not scripted:
            continue
        base_keys.update(fk(a.text) for a in scripted)  # an inflected form may never shadow a table alias
        for form, (_case, base) in inflector.entity_forms(ent).items():
            by_base = made.setdefault(fk(form), {})
            by_base.setdefault(fk(base.text), []).append(Alias(form, eid, base.lang, base.case, SOURCE))
    extra: dict[str, list[Alias]] = {}
    for key, by_base in made.items():
        if key in base_keys or len(by_base) > 1:  # a table alias, or two different names that inflect alike
            continue
        for aliases in by_base.values():
            seen: set[str] = set()
            for a in aliases:
                if a.entity_id not in seen:
                    seen.add(a.entity_id)
                    extra.setdefault(a.entity_id, []).append(a)
    if not extra:
        return tables
    entities = dict(tables.entities)
    for eid, aliases in extra.items():
        entities[eid] = replace(entities[eid], aliases=entities[eid].aliases + tuple(aliases))
    return TableSet(entities, tables.files, tables.version, tables.warnings, tables.known_ambiguous)


def restore_inflected(mentions: list[Mention], tables: TableSet, inflector: Inflector | None = None, *,
                      only: Sequence[int] | None = None) -> list[Mention]:
    """Mentions of an inflected form: ``inflected=True``, the table alias as ``alias``, scored like a fused suffix
    (an ambiguous one too, with its candidates).  ``only``: the indexes of the mentions that may be such forms
    (None: all)."""
    from .decide import PENALTY_INFLECTED, SCORE_FOLDED

    inflector = inflector or default_inflector()
    score = round(SCORE_FOLDED - PENALTY_INFLECTED, 4)
    out = mentions
    for i in range(len(mentions)) if only is None else only:
        m = mentions[i]
        if m.method != "variant" or m.alias.isascii():
            continue  # (an inflected form matches as a derived alias: method "variant")
        hit = _forms_of(m.id or (m.candidates[0].id if m.candidates else ""), tables, inflector).get(m.alias)
        if hit is None:
            continue
        case, base = hit[0], hit[1].text
        candidates = m.candidates
        if candidates:
            found = [_forms_of(c.id, tables, inflector).get(c.alias) for c in candidates]
            candidates = tuple(c if f is None else replace(c, alias=f[1].text, method="folded", score=score)
                               for c, f in zip(candidates, found, strict=True))
        explain = m.explain and replace(m.explain, rules=m.explain.rules + (f"inflected:{case}",))
        if out is mentions:
            out = list(mentions)
        out[i] = new_mention(m.text, m.start, m.end, m.id, m.canonical, m.type, score if m.id else m.score,
                             "folded", base, m.lang, True, m.ambiguous, candidates, explain)  # replace(m, ...)
    return out


def _forms_of(eid: str, tables: TableSet, inflector: Inflector) -> dict[str, tuple[str, Alias]]:
    """The inflected forms of one entity's aliases (memoised per table version)."""
    key = (tables.version, inflector)  # the version hashes the table files: same version, same aliases
    cache = _FORMS.get(key)
    if cache is None:
        if len(_FORMS) >= 64:
            _FORMS.clear()
        cache = _FORMS[key] = {}
    forms = cache.get(eid)
    if forms is None:
        ent = tables.entities.get(eid)
        forms = cache[eid] = inflector.entity_forms(ent) if ent is not None else {}
    return forms


_FORMS: dict[tuple[str, Inflector], dict[str, dict[str, tuple[str, Alias]]]] = {}
