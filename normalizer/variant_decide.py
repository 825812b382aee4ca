"""How the variant pass decides one window (:mod:`normalizer.variant_pass`): its readings (as written; with a case
ending read off), the aliases each reading's key meets, their scores (``names/score.py``) against the thresholds
(``decide.py``), and whether a match across scripts counts on its own or only with the document's support.
"""

from __future__ import annotations

from dataclasses import replace

from .context import window_key
from .decide import Thresholds, pick
from .names.abjad import Abjad
from .names.index import VariantIndex
from .names.keys import TokenKey, has_arabic
from .names.score import cross_script_fit, pair_similarity, same_script, score_pair
from .spans import Token, Window
from .tables import TableSet
from .types import Candidate, Entity, Explanation, Mention

CROSS_SCRIPT_MIN_LETTERS = 4  # several words meet an alias of the other script on their own with 4+ consonants


def _weak(win: Window, alias_tokens: list, entity: Entity, abjad: Abjad) -> bool | None:  # noqa: ANN001
    """Whether a window meets an alias of the other script (Arabic text ~ Latin alias or the reverse) on too little
    to count without the document naming the entity otherwise (None: not a mention at all).

    Arabic roots have 2-3 consonants, so consonant skeletons alone collide with ordinary words (ترك, طريق ~ Türkiye).
    A single word counts on its own only when its spelling fits the Latin one letter by letter (abjad alignment:
    سوريا ~ Syria, see ``Abjad.names``) and the tables give the entity no name in the window's script (if they did,
    the matcher would have met the real spelling: a guess across scripts is for entities named in one script only),
    or when it is long and its romanised form near the alias's (``Abjad.names_near``: a foreign name is spelt in
    Arabic from several languages' forms, so one listed Arabic spelling does not rule out another)."""
    names = [t for t in win.tokens if t.key.kind == "name"]
    win_arabic = any(t.key.arabic for t in names)
    anames = [t for t in alias_tokens if t.kind == "name"]
    short = sum(len(t.key.key) for t in names) < CROSS_SCRIPT_MIN_LETTERS  # particle markers are not consonants
    if win_arabic == any(t.arabic for t in anames):
        # Latin ~ Latin: spelling variants. Arabic ~ Arabic: the fold already met the real spelling variants, so a
        # short skeleton shared with another word is noise (الرئيس ~ روسيا)
        return win_arabic and short
    if any(t.key.kind == "particle" for t in win.tokens) and len(names) > 1:
        return short  # Abu/bin + names: the particle is evidence; spellings of the names vary (Kurayshi/القرشي)
    pairs = [(w.key, a) if win_arabic else (a, w.key) for w, a in zip(names, anames, strict=False)]
    if len(names) != len(anames) or not all(ar.key and cross_script_fit(ar, la) for ar, la in pairs):
        return None  # the skeletons meet but the letters do not (ترك, طريق ~ Türkiye): not even with support
    if len(pairs) == 1:
        ar, la = pairs[0]
        if abjad.names_near(ar.text, ar.roman, la.roman):
            return False  # a long word spelt from another language's form of the name (زابوريزهيا): there are many
        return not (abjad.names(ar.text, la.text) and not any(has_arabic(a.text) == win_arabic for a in entity.aliases))
    return short


def decide_readings(win: Window, key: str, source: str, index: VariantIndex, tables: TableSet, th: Thresholds,
                     steps) -> tuple[Mention, bool] | None:  # noqa: ANN001
    """The best mention the window's readings make (as written; with a case ending read off), or None."""
    readings = []
    aliases = index.by_key.get(key) or index.shortened(key)
    if aliases:
        readings.append((win, key, aliases, False))
    for stemmed in _stemmed(win):  # a case ending read off (Бахмута, του Νίγηρα, Prigoschins)
        skey = window_key(stemmed.keys)
        saliases = aliases if skey == key else index.by_key.get(skey)
        if saliases:
            readings.append((stemmed, skey, saliases, True))
    best: tuple[Mention, bool] | None = None
    for reading in readings:
        got = _read_window(*reading, win.tokens[-1].key, source, index, tables, th, steps)
        if got is not None and (best is None or got[0].score > best[0].score):
            best = got
    return best


def _read_window(win: Window, key: str, aliases: list, inflected: bool, last: TokenKey, source: str,  # noqa: PLR0913
                 index: VariantIndex, tables: TableSet, th: Thresholds, steps) -> tuple[Mention, bool] | None:  # noqa: ANN001
    """The mention one reading of a window makes, and whether it is weak (counts only with document support);
    None when it makes none. ``last``: the window's last word as written (a reading may take a case ending off)."""
    # Gibt is not Egypt, Woman is not Oman: an ordinary word is never a guessed spelling; but the same name in
    # another script (Вагнер for Wagner) is a transliteration: it counts when the document names the entity too
    common = win.name_tokens == 1 and _one_name(win).folded in index.variants.common_words
    if win.tokens[0].key.kind == "article" and win.name_tokens == 1:
        # "al-X" alone is a nisba or a surname (al-Turki, al-Iraqi): only a person can be named so
        aliases = [a for a in aliases if tables.entities[a.entity_id].type == "person"]
    text = win.tokens[-1].folded
    adjective = index.variants.adjective_endings(last)
    ends = [e for e in adjective if text.endswith(e)] if text.endswith(adjective) else []
    if ends:
        # Iraqi, Türki, التركية: an adjective of a place is not the place (but Türkei is Turkey: no ending added)
        aliases = [a for a in aliases if tables.entities[a.entity_id].type != "location"
                   or not _adds_ending(last, index.alias_tokens(a), ends)]
    m = _decide_window(win, key, aliases, source, index, tables, th, steps)
    if m is None:
        return None
    if inflected:
        m = replace(m, inflected=True)
    alias = next(a for a in aliases if a.text == m.alias)
    atoks = index.alias_tokens(alias)
    if common and not _transliterated(_one_name(win).key, atoks):
        return None
    weak_match = _weak(win, atoks, tables.entities[alias.entity_id], index.variants.abjad)
    return None if weak_match is None else (m, weak_match or common)


def _transliterated(word: TokenKey, alias_tokens: list[TokenKey]) -> bool:
    """Whether a word of one script romanises exactly as the (one-word) alias of another script does (scripts
    that write their vowels: an Arabic romanised form lacks the short ones, so short words meet by chance)."""
    names = [t for t in alias_tokens if t.kind == "name"]
    return (len(names) == 1 and names[0].script != word.script and names[0].roman == word.roman
            and not names[0].arabic and not word.arabic)


def _stemmed(win: Window) -> list[Window]:
    """The window with each word that carries a case ending of its script or language read without it
    (Бахмута, του Νίγηρα, Prigoschins): one reading per way of taking endings off (the k-th of each word's)."""
    most = max(len(t.key.stems) for t in win.tokens)
    return [Window(tuple(replace(t, key=t.key.stems[min(k, len(t.key.stems) - 1)]) if t.key.stems else t
                         for t in win.tokens), win.at_edge) for k in range(most)]


def _one_name(win: Window) -> Token:
    return next(t for t in win.tokens if t.key.kind == "name")


def _weakest_token(a: list[TokenKey], b: list[TokenKey], common: frozenset[str] = frozenset()) -> float:
    """The lowest, over the name tokens of ``a``, of the best similarity to a name token of ``b``; an ordinary
    word (``common``) counts only when spelt exactly as one (المدينة الآن is not مدينة وان: الآن is "now")."""
    bn = [t for t in b if t.kind == "name"]

    def best(x: TokenKey) -> float:
        s = max(pair_similarity(x, y) for y in bn)
        return s if s == 1.0 or x.text not in common else 0.0
    return min((best(x) for x in a if x.kind == "name"), default=0.0)


def _adds_ending(word: TokenKey, alias_tokens: list[TokenKey], endings: list[str]) -> bool:
    """Whether the word (``word`` as written; ``endings``: the adjective endings it ends with) ends with an
    adjective ending that the alias's last name token does not end with: Iraqi adds -i to Iraq, Türki to
    Turkey, التركية -ية to تركيا, Σύριων to Syria.  A word that romanises exactly like an alias of its own script
    adds nothing: Türkei is Turkey (both turkai); across scripts the ending as written counts (Σύριοι, Syrians)."""
    names = [t for t in alias_tokens if t.kind == "name" and t.text]
    if not names:
        return True
    last = names[-1]
    if word.script == last.script != "arabic" and word.roman == last.roman:
        return False
    return any(not last.text.endswith(e) for e in endings)


def _is_acronym(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return 0 < len(letters) <= 6 and all(c.isupper() for c in letters) and " " not in text.strip()


def _same_script_first(win: Window, aliases: list, index: VariantIndex,  # noqa: ANN001
                       tables: TableSet) -> tuple[list[tuple], list[tuple]]:
    """The aliases worth scoring, with their tokens, in two rounds: no acronym (MEET is not MIT: an acronym has no
    spelling variants); of an entity that has aliases in the window's script among them, those first, its
    other-script ones only if none of those makes a candidate and the window is one long word (a spelling is met
    in its own script first; a foreign name has several spellings in Arabic: زابوريزهيا, زاباروجيا)."""
    script = next((t.key.script for t in win.tokens if t.key.kind == "name"), "latin")
    out, same = [], set()
    for alias in aliases:
        if alias.case in ("exact", "upper") or _is_acronym(alias.text):
            continue
        atoks = index.alias_tokens(alias)
        ascript = next((t.script for t in atoks if t.kind == "name"), "latin")
        out.append((alias, atoks, ascript == script))
        if ascript == script:
            same.add(alias.entity_id)
    # an entity the tables name in the window's script is met in that script: another script's alias of it is no
    # candidate here (Dujarric is not Джерси, Jersey) but in the second round (see above)
    same |= {a.entity_id for a, _, own in out if not own and script in _scripts(index, tables, a.entity_id)}
    first = [(a, t) for a, t, own in out if own or a.entity_id not in same]
    return first, [(a, t) for a, t, own in out if not own and a.entity_id in same]


def _scripts(index: VariantIndex, tables: TableSet, entity_id: str) -> frozenset[str]:
    """The scripts the tables write an entity's names in (remembered per index)."""
    memo = index.memo("entity_scripts")
    got = memo.get(entity_id)
    if got is None:
        script, fold = index.variants.translit.script, index.variants.folder.fold_key
        got = memo[entity_id] = frozenset(script(fold(a.text)) for a in tables.entities[entity_id].aliases)
    return got


def _decide_window(win: Window, key: str, aliases, source: str, index: VariantIndex, tables: TableSet,  # noqa: ANN001
                   th: Thresholds, steps) -> Mention | None:  # noqa: ANN001
    best: dict[str, tuple[float, Candidate]] = {}
    common = index.variants.common_words
    first, then = _same_script_first(win, aliases, index, tables)

    def consider(alias, atoks: list[TokenKey]) -> None:  # noqa: ANN001
        score, feats = score_pair(win.keys, atoks, "variant")
        ent = tables.entities[alias.entity_id]
        if score < th.threshold(ent.type, win.name_tokens):
            return
        script = same_script(win.keys, atoks)
        if script and _weakest_token(win.keys, atoks, common) < th.same_script_similarity.get(script, 0.0):
            return  # every word must be spelt alike, not just the skeletons (المدينة يقوم is not مدينة القائم)
        if alias.entity_id not in best or best[alias.entity_id][0] < score:
            best[alias.entity_id] = (score, Candidate(ent.id, ent.name, ent.type, score, alias.text, "variant", feats))

    for alias, atoks in first:
        consider(alias, atoks)
    found = set(best)
    word = _one_name(win).key if win.name_tokens == 1 else None
    if word is not None and word.arabic and len(word.text) >= index.variants.abjad.roman_min_letters:
        for alias, atoks in then:  # one long Arabic word: the other-script names of entities whose own made none
            if alias.entity_id not in found:
                consider(alias, atoks)
    if not best:
        return None
    chosen, ranked = pick(list(best.values()), th.margin)
    text = source[win.start:win.end]
    cands = tuple(c for _, c in ranked)
    if chosen is None:
        top = ranked[0][1]
        expl = Explanation(key, tuple(steps(text)), ("variant-key", "ambiguous"), top.features) if steps else None
        return Mention(text, win.start, win.end, None, None, None, top.score / len(ranked), "variant", top.alias,
                       ambiguous=True, candidates=cands, explain=expl)
    c: Candidate = chosen
    expl = Explanation(key, tuple(steps(text)), ("variant-key", f"threshold:{th.threshold(c.type, win.name_tokens)}"),
                       c.features) if steps else None
    return Mention(text, win.start, win.end, c.id, c.canonical, c.type, c.score, "variant", c.alias,
                   candidates=cands if len(cands) > 1 else (), explain=expl)
