"""The :class:`Normalizer`: text -> fold -> find candidates -> decide -> :class:`~normalizer.types.Result`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple

from .cache import load_or_build
from .context import context_pass
from .decide import DERIVED, Thresholds, core_mentions
from .fold import Folder, default_folder
from .fuzzy_pass import fuzzy_mentions
from .inflect import restore_inflected, with_inflections
from .kb import borrowed_checks, borrowed_names, kb_files, kb_link, kb_resolve
from .local_alias import local_alias_mentions
from .matcher import AliasMatcher
from .names.fuzzy_index import FuzzyIndex, index_for
from .names.index import VariantIndex
from .names.keys import Variants, default_variants, derive_acronyms
from .search import EntitySearch
from .spans import tokenize
from .stopwords import Stopwords
from .tables import Problem, TableError, TableSet, bundled_dir, load_tables
from .types import Alias, Candidate, Entity, Result
from .variant_pass import variant_mentions

MAX_TEXT_CHARS = 50_000_000
_START = attrgetter("start")


class Normalizer:
    """Find entity mentions in text and resolve them to canonical IDs.

    >>> n = Normalizer()
    >>> [(m.text, m.id) for m in n.normalize("MİT'in Daesh operasyonu").mentions]
    [('MİT', 'org:mit-turkey'), ('Daesh', 'org:isis')]
    """

    def __init__(self, tables: Sequence[str | Path] = (), *, bundled: bool = True, folder: Folder | None = None,
                 variants: bool = True, fuzzy: bool = True, context: bool = True,
                 cache: bool | str | Path | None = None, link: bool = True) -> None:
        if isinstance(tables, (str, Path)):
            tables = [tables]
        self.folder = folder or default_folder()
        self.use_variants = variants
        self.use_fuzzy = fuzzy
        self.use_context = context
        paths: list[str | Path] = ([bundled_dir()] if bundled else []) + list(tables)
        self._config = _Config(tuple(str(Path(t).resolve()) for t in tables), bundled, variants, fuzzy, context,
                               cache, None if folder is None else str(folder.rules_path), link)  # for pickling
        self.thresholds = Thresholds()

        def build() -> tuple[TableSet, AliasMatcher]:
            tables = load_tables(paths, fold_key=self.folder.fold_key, fold_version=self.folder.version)
            tables = kb_link(tables, self.folder, link=link, bundled=bundled)  # knowledge base (normalizer/kb/)
            matched = with_inflections(_with_derived_acronyms(tables, self.folder), self.folder)  # + Greek/Russian cases
            return tables, AliasMatcher(matched, self.folder)

        # compiled-table cache (normalizer/cache.py): big tables load from disk; cache=True/False/dir forces it
        self.tables, self.matcher = load_or_build([*paths, *kb_files(link)], self.folder, build, cache=cache)
        self._borrowed: dict = {}  # entity id -> its borrowed aliases' sources (normalizer/kb/guard.py)
        self._kb_resolve = bundled and link  # resolve() also offers the KB's other entities
        self._variants: Variants | None = None
        self._index: VariantIndex | None = None
        self._stopwords: Stopwords | None = None
        self._fuzzy_index: FuzzyIndex | None = None
        self._search: EntitySearch | None = None

    @property
    def variants(self) -> Variants:
        if self._variants is None:
            self._variants = default_variants()
        return self._variants

    @property
    def variant_index(self) -> VariantIndex:
        """Built on first use (normalize with variants, or resolve); kept in the compiled-table cache with the
        tables when they come from it."""
        if self._index is None:
            self._index = VariantIndex(self.tables, self.variants, min_key_letters=self.thresholds.min_key_letters,
                                       columns=self.matcher.alias_columns, cache=getattr(self.matcher, "cache", None))
            self._index.fuzzy_index = lambda: self.fuzzy_index  # type: ignore[attr-defined]  (one index, shared)
        return self._index

    @property
    def fuzzy_index(self) -> FuzzyIndex:
        """resolve()'s and the fuzzy pass's candidate index (normalizer/fuzzy_index.py): built on first use, kept
        in the compiled-table cache with the tables when they come from it."""
        if self._fuzzy_index is None:
            self._fuzzy_index = index_for(self.matcher.alias_columns, self.variants, getattr(self.matcher, "cache", None))
        return self._fuzzy_index

    @property
    def stopwords(self) -> Stopwords:
        if self._stopwords is None:
            self._stopwords = Stopwords(self.folder.fold_key)
        return self._stopwords

    # ------------------------------------------------------------------------------------------------ public
    @property
    def version(self) -> str:
        """A hash of the loaded table files and fold rules (changes whenever either changes)."""
        return self.tables.version

    @property
    def entity_count(self) -> int:
        return len(self.tables.entities)

    @property
    def alias_count(self) -> int:
        return self.tables.alias_count

    def entity(self, entity_id: str) -> Entity | None:
        return self.tables.entities.get(entity_id)

    def normalize(self, text: str, lang: str | None = None, *, explain: bool = False) -> Result:
        """Every mention of a known entity in ``text``, sorted by start, never overlapping."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, not {type(text).__name__}")
        if len(text) > MAX_TEXT_CHARS:
            raise ValueError(f"text too long: {len(text)} characters (limit {MAX_TEXT_CHARS}); split it")
        folded = self.folder.fold(text)
        steps = self.folder.steps_for if explain else None
        # which mentions may be inflected forms / borrowed names (None: all): the steps for them look at those only
        names = borrowed_names(self.tables.entities, self._borrowed)
        mentions, inflected, borrowed = core_mentions(self.matcher, folded, lang=lang, fold_steps=steps,
                                                      borrowed=names)
        if inflected is None or inflected:  # inflected Greek/Russian forms: inflected, table alias
            mentions = restore_inflected(mentions, self.tables, only=inflected)
        if self.use_variants or self.use_fuzzy or self.use_context:
            tokens = tokenize(folded, self.variants, lang, [(m.start, m.end) for m in mentions])
            stop = self.stopwords.for_lang(lang)
            if self.use_variants and tokens:
                taken = [(m.start, m.end) for m in mentions]
                mentions += variant_mentions(tokens, text, taken, self.variant_index, self.tables, self.thresholds,
                                             stop, steps, {m.id for m in mentions if m.id})
            if self.use_fuzzy and tokens:
                taken = [(m.start, m.end) for m in mentions]
                mentions += fuzzy_mentions(tokens, text, taken, self.variant_index, self.tables, self.thresholds,
                                           stop, steps)
            if self.use_context:
                mentions = context_pass(mentions, tokens, text, self.variant_index, self.tables, stop, steps,
                                        lang, folded.text)
                mentions = local_alias_mentions(mentions, text, steps)
        passes = self.use_variants or self.use_fuzzy or self.use_context
        if passes or explain:
            borrowed = None  # every mention (the passes' too)
        if borrowed is None or borrowed:
            mentions = borrowed_checks(mentions, text, self.tables.entities, self._borrowed, explain=explain,
                                       only=borrowed)
        if passes:  # the core's mentions come in start order
            mentions.sort(key=_START)
        return Result(text, tuple(mentions), lang)

    # ----------------------------------------------------------------------------------------- batches
    def normalize_many(self, texts: Iterable[str], *, lang: str | None | Sequence[str | None] = None,
                       explain: bool | Sequence[bool] = False) -> list[Result]:
        """``[normalize(t, lang, explain=explain) for t in texts]`` in one call (the CLI's chunks, the API's batches).

        ``lang`` and ``explain`` are one value for every text or a sequence with one per text.  Every text is
        checked first: a text that is not a ``str`` or is too long raises (naming its index) before any work.

        >>> n = Normalizer()
        >>> [[m.id for m in r.mentions] for r in n.normalize_many(["MİT'in açıklaması", "Daesh"], lang=["tr", None])]
        [['org:mit-turkey'], ['org:isis']]
        """
        texts = texts if isinstance(texts, list) else list(texts)
        langs = _per_text(lang, len(texts), "lang", str)
        explains = _per_text(explain, len(texts), "explain", bool)
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"texts[{i}] must be a str, not {type(text).__name__}")
            if len(text) > MAX_TEXT_CHARS:
                raise ValueError(f"texts[{i}] too long: {len(text)} characters (limit {MAX_TEXT_CHARS}); split it")
        normalize = self.normalize
        return [normalize(t, lg, explain=ex) for t, lg, ex in zip(texts, langs, explains, strict=True)]

    def resolve(self, name: str, *, limit: int = 5, lang: str | None = None) -> list[Candidate]:
        """Ranked candidate entities for one name (no running text): best first, at most ``limit``."""
        if not isinstance(name, str):
            raise TypeError(f"name must be a str, not {type(name).__name__}")
        from .resolve import resolve_name

        found = resolve_name(self, name, limit=limit, lang=lang)
        return kb_resolve(name, found, self.entity, self.folder, limit=limit) if self._kb_resolve else found

    def search_entities(self, query: str, *, limit: int = 20) -> list[Entity]:
        """Entities whose name or an alias starts with (or contains) ``query`` after folding; best first."""
        if self._search is None:
            self._search = EntitySearch(self.tables, self.folder.fold_key)
        return self._search.search(self.folder.fold_key(query), limit)

    # -------------------------------------------------------------------------------------------- warm-up
    def warm(self, *, search: bool = True) -> Normalizer:
        """Build now everything that is otherwise built on first use (variant and fuzzy indexes, stopwords,
        common words, per-script patterns, memos, and with ``search`` the entity search of
        :meth:`search_entities`), so that no later call pays for it: a server calls this before it reports ready
        and before a reload swaps tables in; a batch worker that never searches passes ``search=False`` (the
        search holds every alias's key again: seconds and ~100 MB at 1M aliases).  Returns ``self``."""
        _ = self.variants.common_words, self.stopwords
        if self.use_variants or self.use_fuzzy or self.use_context:
            _ = self.variant_index, self.fuzzy_index
            import numpy.ma  # noqa: F401  (numpy's unique() imports it on first use: ~0.1 s in a first fuzzy guess)
        for text, lang in _WARM_TEXTS:
            self.normalize(text, lang)
            self.normalize(text, lang, explain=True)
        self.resolve("Islamik Devlet")
        if search:
            self.search_entities("isla")
        return self

    # ---------------------------------------------------------------------------------------------- pickling
    def __getstate__(self) -> dict[str, Any]:
        """A Normalizer pickles as its configuration (absolute table paths, options) and table version, not
        its indexes, so it can go to multiprocessing or Spark workers: unpickling rebuilds it from the same
        files (big tables from the compiled-table cache), once per process and configuration.  The files must
        be readable there and unchanged, else unpickling raises :class:`~normalizer.tables.TableError`.

        >>> import pickle
        >>> n = pickle.loads(pickle.dumps(Normalizer()))
        >>> [m.id for m in n.normalize("DEAŞ ve MİT").mentions]
        ['org:isis', 'org:mit-turkey']
        """
        return {"config": self._config, "version": self.version}

    def __setstate__(self, state: dict[str, Any]) -> None:
        config, version = state["config"], state["version"]
        built = _REBUILT.get((config, version))
        if built is None:
            folder = None if config.folder_rules is None else Folder(Path(config.folder_rules))
            built = Normalizer(config.tables, bundled=config.bundled, folder=folder, variants=config.variants,
                               fuzzy=config.fuzzy, context=config.context, cache=config.cache, link=config.link)
            if built.version != version:
                where = (config.tables or (str(bundled_dir()),))[0]
                raise TableError([Problem(where, 0, f"the tables changed since this Normalizer was pickled "
                                                    f"(version {version}, now {built.version})")])
            _REBUILT.clear()  # keep one: a worker process normally meets one configuration
            _REBUILT[(config, version)] = built
        self.__dict__.update(built.__dict__)  # share the built tables and indexes (read-only after building)


class _Config(NamedTuple):
    tables: tuple[str, ...]
    bundled: bool
    variants: bool
    fuzzy: bool
    context: bool
    cache: bool | str | Path | None
    folder_rules: str | None
    link: bool = True


_REBUILT: dict[tuple[_Config, str], Normalizer] = {}  # per process: the Normalizer last rebuilt by unpickling

# One sentence per script and language the tables cover (own text), with names known and unknown, an
# acronym, inflected and quoted forms: one pass over them reaches every lazily built part of the pipeline.
_WARM_TEXTS = (
    ("MİT'in Daesh operasyonu Türkiye'de; Kara Kuvvetleri, also known as \"Blue Falcon\", near Aleppo.", "tr"),
    ("The U.N. said Islamik State and the PKK met Mr. Example Namesson in Baghdad on Monday.", "en"),
    ("Der Geheimdienst MIT hat mit der Polizei in Syrien ermittelt; la France et l'ONU à Damas.", None),
    ("قال مسؤول في بغداد إن تنظيم داعش هاجم قرية قرب الموصل.", "ar"),
    ("Το Ισλαμικό Κράτος στη Συρία· Исламское государство в Сирии и Турции.", None),
)


def _per_text(value: object, n: int, name: str, single: type) -> Sequence:
    """normalize_many's ``lang``/``explain``: one value for all texts, or one per text."""
    if value is None or isinstance(value, single):
        return [value] * n
    if not isinstance(value, Sequence) or len(value) != n:
        raise ValueError(f"{name} must be one value or a sequence of one per text ({n})")
    return value


def _with_derived_acronyms(tables: TableSet, folder: Folder) -> TableSet:
    """The tables plus acronyms of multi-word organisation names (Islamic State -> IS) for the matcher only,
    marked ``derived:``. Only the canonical name is used; an acronym that any table alias already spells, or that
    two entities would derive alike, is left out."""
    derived: dict[str, list[str]] = {}
    for eid, ent in tables.entities.items():
        if ent.type == "organization":
            for acr in derive_acronyms([ent.name]):
                derived.setdefault(acr, []).append(eid)
    if not derived:
        return tables
    # Only an alias with no more letters/digits than the longest acronym can fold to one (folding never drops a
    # letter or digit), so only those are folded here: the matcher folds every alias anyway.
    longest = max(map(len, derived))
    taken = {folder.fold_key(a.text) for e in tables.entities.values() for a in e.aliases
             if sum(c.isalnum() for c in a.text[:4 * longest + 8]) <= longest}
    derived = {acr: ids for acr, ids in derived.items() if folder.fold_key(acr) not in taken}
    entities = dict(tables.entities)
    for acr, ids in derived.items():
        if len(ids) == 1:
            ent = entities[ids[0]]
            entities[ids[0]] = replace(ent, aliases=ent.aliases + (Alias(acr, ent.id, "und", "upper", f"{DERIVED}acronym"),))
    return TableSet(entities, tables.files, tables.version, tables.warnings, tables.known_ambiguous)
