"""Alias tables: YAML (curated) and TSV (bulk) loaders with validation that names file, line and problem.

YAML format::

    entities:
      - id: org:isis
        type: organization
        name: Islamic State
        wikidata: Q2429253            # optional
        kb: Q2429253                  # optional: pin the knowledge-base entity to link to, or `none` (no link)
        geonames: "2643743"           # optional: GeoNames id (a place; links to the KB place with it)
        description: jihadist group   # optional
        context: [Syria, Iraq]        # optional: words that favour this entity for an ambiguous alias
        aliases:                      # {lang: [...]} or a plain list (language unknown)
          en: [ISIS, ISIL, Daesh]
          tr: [DEAŞ, IŞİD, {alias: Deaş, case: any}]
    known_ambiguous:                  # optional: aliases deliberately shared by several entities
      - {alias: Abu Bakr, ids: [per:a, per:b], note: "a common kunya"}

TSV format: a header row with ``id`` and ``alias`` and optionally ``lang``, ``type``, ``name``, ``wikidata``,
``case``, ``kb``, ``geonames``, ``description``, ``source`` (where the name comes from; read by the knowledge
base); one alias per row; the rows of one entity may be anywhere in the file.  ``#`` lines before the header
are comments.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .fold import DATA_DIR
from .resources import package_path
from .types import CASE_RULES, Alias, Entity

ID_RE = re.compile(r"^\w[\w.:/@+-]*$")
QID_RE = re.compile(r"^Q[1-9][0-9]*$")
GEONAMES_RE = re.compile(r"^[1-9][0-9]*$")
TYPE_RE = re.compile(r"^[a-z][a-z_]*$")
ENTITY_KEYS = {"id", "type", "name", "aliases", "wikidata", "description", "context", "kb", "geonames"}
EXTENDS_KEYS = {"extends", "aliases", "context"}  # an entry that adds to an entity defined in another table
TOP_KEYS = {"entities", "known_ambiguous", "meta"}
TSV_COLUMNS = {"id", "alias", "lang", "type", "name", "wikidata", "case", "kb", "geonames", "description",
               "source"}  # or extends, alias, lang, case
PIN_KEYS = ("kb", "geonames")  # link pins (normalizer.kb): kb = a KB id or "none", geonames = a GeoNames id
LANGUAGES = frozenset(yaml.safe_load((DATA_DIR / "languages.yaml").read_text(encoding="utf-8"))["languages"])


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    message: str
    level: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.level}: {self.message}"


class TableError(ValueError):
    """An invalid table.  ``problems`` lists every error found, each with file and line."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        shown = "\n".join(str(p) for p in self.problems[:20])
        more = f"\n... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__(f"invalid alias table ({len(self.problems)} problem(s)):\n{shown}{more}")


def default_case_rule(alias: str) -> str:
    """The case rule an alias gets when the table does not say.

    ``upper`` for an all-capitals alias of at most 3 letters or digits, ``cased`` for one with a capital letter,
    ``any`` otherwise.  A character is *cased* when its lower and upper case differ (so ``ı`` is, ``ª`` is not).
    ASCII takes string methods; other text one :meth:`str.translate` over a memoised per-character class
    (:func:`_case_rule_chars` is the per-character definition, kept for the tests).

    >>> default_case_rule("MIT"), default_case_rule("ISKP"), default_case_rule("Gül"), default_case_rule("داعش")
    ('upper', 'cased', 'cased', 'any')
    """
    if alias.isascii():
        if alias.isupper():  # a letter, none in lower case
            return "upper" if len(alias) <= 3 or sum(map(str.isalnum, alias)) <= 3 else "cased"
        return "cased" if alias != alias.lower() else "any"
    cls = alias.translate(_CHAR_CLASS)
    if "U" not in cls and "u" not in cls:
        return "any"
    if "L" not in cls and "l" not in cls:
        return "upper" if cls.count("U") + cls.count("n") <= 3 else "cased"
    return "cased"


class _CharClass(dict):
    """``str.translate`` table: code point -> ``U``/``u`` cased upper (alnum / not), ``L``/``l`` cased not upper,
    ``n`` uncased alnum; other characters are deleted.  Filled on first sight of a character."""

    def __missing__(self, cp: int) -> str | None:
        c = chr(cp)
        if c.lower() != c.upper():
            cls = ("U" if c.isalnum() else "u") if c.isupper() else ("L" if c.isalnum() else "l")
        else:
            cls = "n" if c.isalnum() else None
        self[cp] = cls
        return cls


_CHAR_CLASS = _CharClass()


def _case_rule_chars(alias: str) -> str:
    """:func:`default_case_rule`, one character at a time (the definition the fast paths must agree with)."""
    cased = [c for c in alias if c.lower() != c.upper()]
    if not cased:
        return "any"
    letters = sum(1 for c in alias if c.isalnum())
    if all(c.isupper() for c in cased) and letters <= 3:
        return "upper"
    if any(c.isupper() for c in cased):
        return "cased"
    return "any"


@dataclass
class _EntityDraft:
    id: str
    type: str
    name: str
    source: str
    aliases: list[Alias] = field(default_factory=list)
    wikidata: str | None = None
    description: str | None = None
    context: list[str] = field(default_factory=list)

    def freeze(self) -> Entity:
        seen: set[tuple[str, str]] = set()
        uniq = []
        for a in self.aliases:
            if (a.text, a.lang) not in seen:
                seen.add((a.text, a.lang))
                uniq.append(a)
        return Entity(self.id, self.type, self.name, tuple(uniq), self.wikidata, self.description,
                      tuple(self.context), self.source)


@dataclass
class TableSet:
    """Everything loaded from a list of table files."""

    entities: dict[str, Entity]
    files: list[str]
    version: str
    warnings: list[Problem] = field(default_factory=list)
    known_ambiguous: dict[str, set[str]] = field(default_factory=dict)  # alias text -> ids
    pins: dict[str, dict[str, str]] = field(default_factory=dict)  # entity id -> {"kb"|"geonames": value}

    @property
    def alias_count(self) -> int:
        return sum(len(e.aliases) for e in self.entities.values())


class _Loader:
    def __init__(self) -> None:
        self.drafts: dict[str, _EntityDraft] = {}
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.known_ambiguous: dict[str, set[str]] = {}
        self.pins: dict[str, dict[str, str]] = {}
        # `extends:` entries, applied once every file is loaded: (file, line, id, add-to-the-draft)
        self.extensions: list[tuple[str, int, str, Callable[[_EntityDraft], None]]] = []

    def pin(self, file: str, line: int, eid: str, key: str, value: object) -> None:
        """A link pin: ``kb: Q...`` / ``kb: none`` / ``geonames: 123`` (see :mod:`normalizer.kb`)."""
        value = str(value).strip() if value is not None else ""
        ok = (value == "none" or ID_RE.match(value)) if key == "kb" else GEONAMES_RE.match(value)
        if not ok:
            want = "a knowledge-base id (Q42, gn:2643743) or none" if key == "kb" else "digits (a GeoNames id)"
            self.err(file, line, f"invalid {key} {value!r} for {eid!r}: expected {want}")
            return
        self.pins.setdefault(eid, {})[key] = value

    def err(self, file: str, line: int, msg: str) -> None:
        self.errors.append(Problem(file, line, msg))

    def warn(self, file: str, line: int, msg: str) -> None:
        self.warnings.append(Problem(file, line, msg, "warning"))

    # ------------------------------------------------------------------------------------------------ entities
    def add_entity(self, file: str, line: int, eid: str, etype: str, name: str, seen_in_file: set[str]) -> _EntityDraft:
        draft = self.drafts.get(eid)
        if draft is not None and (eid in seen_in_file or draft.source.rpartition(":")[0] != file):
            # one definition per id: a second one (same file or another) is an error naming both places
            hint = "" if eid in seen_in_file else f"; to add aliases to it from another table use 'extends: {eid}'"
            self.err(file, line, f"duplicate id {eid!r} (first at {draft.source}){hint}")
        seen_in_file.add(eid)
        if draft is None:
            draft = _EntityDraft(eid, etype, name, f"{file}:{line}")
            self.drafts[eid] = draft
        return draft

    def extend(self, file: str, line: int, eid: Any, add: Callable[[_EntityDraft], None]) -> None:
        """Queue an ``extends:`` entry: ``add`` runs on the entity's draft once every table is loaded."""
        if not isinstance(eid, str) or not ID_RE.match(eid):
            self.err(file, line, f"invalid 'extends' id {eid!r}: the id of an entity defined in another table")
            return
        self.extensions.append((file, line, eid, add))

    def apply_extensions(self) -> None:
        for file, line, eid, add in self.extensions:
            draft = self.drafts.get(eid)
            if draft is None:
                self.err(file, line, f"'extends: {eid}': no loaded table defines an entity {eid!r}")
            else:
                add(draft)

    def add_alias(self, draft: _EntityDraft, file: str, line: int, text: Any, lang: str, case: str | None) -> None:
        if not isinstance(text, str):
            self.err(file, line, f"alias of {draft.id!r} must be a string, got {type(text).__name__}")
            return
        text = text.strip()
        if not text:
            self.err(file, line, f"empty alias in entity {draft.id!r}")
            return
        if lang not in LANGUAGES:
            self.err(file, line, f"unknown language code {lang!r} for alias {text!r} (known: en, tr, ar, de, fr, ru, el, ... und)")
            return
        if case is None:
            case = default_case_rule(text)
        elif case not in CASE_RULES:
            self.err(file, line, f"unknown case rule {case!r} for alias {text!r} (use one of {', '.join(CASE_RULES)})")
            return
        draft.aliases.append(Alias(text, draft.id, lang, case, f"{file}:{line}"))

    # ---------------------------------------------------------------------------------------------------- YAML
    def load_yaml(self, path: Path) -> None:
        file = str(path)
        try:
            root = yaml.compose(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except UnicodeDecodeError as exc:
            self.err(file, 1, f"not UTF-8 text: {exc}")
            return
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            self.err(file, (mark.line + 1) if mark else 1, f"YAML syntax error: {getattr(exc, 'problem', exc)}")
            return
        if root is None:
            self.err(file, 1, "empty table: expected a mapping with 'entities'")
            return
        if not isinstance(root, yaml.MappingNode):
            self.err(file, _line(root), "top level must be a mapping with an 'entities' list")
            return
        top = _pairs(root)
        for key, (knode, _) in top.items():
            if key not in TOP_KEYS:
                self.err(file, _line(knode), f"unknown top-level key {key!r} (expected: entities, known_ambiguous, meta)")
        if "entities" not in top:
            self.err(file, _line(root), "missing 'entities' list")
            return
        ents = top["entities"][1]
        if not isinstance(ents, yaml.SequenceNode):
            self.err(file, _line(ents), "'entities' must be a list")
            return
        seen: set[str] = set()
        for node in ents.value:
            self._yaml_entity(file, node, seen)
        if "known_ambiguous" in top:
            self._yaml_ambiguous(file, top["known_ambiguous"][1])

    def _yaml_entity(self, file: str, node: yaml.Node, seen: set[str]) -> None:
        line = _line(node)
        if not isinstance(node, yaml.MappingNode):
            self.err(file, line, "each entity must be a mapping with id, type, name, aliases")
            return
        fields = _pairs(node)
        if "extends" in fields:
            self._yaml_extends(file, line, fields)
            return
        for key, (knode, _) in fields.items():
            if key not in ENTITY_KEYS:
                self.err(file, _line(knode), f"unknown entity field {key!r} (known: {', '.join(sorted(ENTITY_KEYS))})")
        values = {k: _scalar(v) for k, (_, v) in fields.items() if isinstance(v, yaml.ScalarNode)}
        eid, etype, name = values.get("id"), values.get("type"), values.get("name")
        for key, val in (("id", eid), ("type", etype), ("name", name)):
            if not val or not isinstance(val, str) or not val.strip():
                self.err(file, line, f"entity is missing a non-empty {key!r}" + (f" (id {eid!r})" if eid else ""))
                return
        assert isinstance(eid, str) and isinstance(etype, str) and isinstance(name, str)
        if not ID_RE.match(eid):
            self.err(file, line, f"invalid id {eid!r}: use letters, digits and _ . : / @ + - (no spaces)")
            return
        if not TYPE_RE.match(etype):
            self.err(file, _line(fields["type"][1]), f"invalid type {etype!r}: lower-case word such as organization, person, location, event")
            return
        draft = self.add_entity(file, line, eid, etype, name.strip(), seen)
        if draft.name != name.strip():
            draft.name = name.strip()
        self.add_alias(draft, file, line, name, "und", None)
        if "wikidata" in fields:
            qid = values.get("wikidata")
            if not isinstance(qid, str) or not QID_RE.match(qid):
                self.err(file, _line(fields["wikidata"][1]), f"invalid wikidata id {qid!r} for {eid!r}: expected Q followed by digits")
            else:
                draft.wikidata = qid
        if isinstance(values.get("description"), str):
            draft.description = values["description"]
        for key in PIN_KEYS:
            if key in fields:
                self.pin(file, _line(fields[key][1]), eid, key, values.get(key))
        self._yaml_additions(file, draft, fields)

    def _yaml_additions(self, file: str, draft: _EntityDraft, fields: dict[str, tuple[yaml.Node, yaml.Node]]) -> None:
        """``context`` and ``aliases`` of an entity entry (or of an ``extends:`` entry)."""
        if "context" in fields:
            cnode = fields["context"][1]
            if not isinstance(cnode, yaml.SequenceNode) or not all(isinstance(c, yaml.ScalarNode) for c in cnode.value):
                self.err(file, _line(cnode), f"'context' of {draft.id!r} must be a list of words")
            else:
                draft.context.extend(str(c.value) for c in cnode.value)
        if "aliases" in fields:
            self._yaml_aliases(file, draft, fields["aliases"][1])

    def _yaml_extends(self, file: str, line: int, fields: dict[str, tuple[yaml.Node, yaml.Node]]) -> None:
        """``- extends: org:isis`` with ``aliases`` and/or ``context``: added to the entity another table defines
        (its id, type and name stay as defined there)."""
        for key, (knode, _) in fields.items():
            if key not in EXTENDS_KEYS:
                self.err(file, _line(knode), f"an 'extends' entry adds aliases and context only, not {key!r} "
                         "(id, type and name are set where the entity is defined)")
                return
        eid = _scalar(fields["extends"][1])
        self.extend(file, line, eid, lambda draft: self._yaml_additions(file, draft, fields))

    def _yaml_aliases(self, file: str, draft: _EntityDraft, node: yaml.Node) -> None:
        if isinstance(node, yaml.ScalarNode) and _scalar(node) is None:
            return
        if isinstance(node, yaml.SequenceNode):
            groups: list[tuple[str, yaml.Node]] = [("und", node)]
        elif isinstance(node, yaml.MappingNode):
            groups = [(str(k.value), v) for k, v in node.value]
        else:
            self.err(file, _line(node), f"'aliases' of {draft.id!r} must be a list or a mapping of language -> list")
            return
        for lang, seq in groups:
            if isinstance(seq, yaml.ScalarNode):
                seq = yaml.SequenceNode("tag:yaml.org,2002:seq", [seq], seq.start_mark, seq.end_mark)
            if not isinstance(seq, yaml.SequenceNode):
                self.err(file, _line(seq), f"aliases for language {lang!r} of {draft.id!r} must be a list")
                continue
            for item in seq.value:
                if isinstance(item, yaml.ScalarNode):
                    self.add_alias(draft, file, _line(item), _scalar(item), lang, None)
                elif isinstance(item, yaml.MappingNode):
                    spec = {k: _scalar(v) for k, (_, v) in _pairs(item).items()}
                    bad = set(spec) - {"alias", "case", "lang"}
                    if bad:
                        self.err(file, _line(item), f"unknown alias field(s) {sorted(bad)} (known: alias, case, lang)")
                        continue
                    self.add_alias(draft, file, _line(item), spec.get("alias"), str(spec.get("lang") or lang), spec.get("case"))
                else:
                    self.err(file, _line(item), f"alias of {draft.id!r} must be a string or {{alias: ..., case: ...}}")

    def _yaml_ambiguous(self, file: str, node: yaml.Node) -> None:
        if not isinstance(node, yaml.SequenceNode):
            self.err(file, _line(node), "'known_ambiguous' must be a list of {alias, ids, note}")
            return
        for item in node.value:
            spec = _pairs(item) if isinstance(item, yaml.MappingNode) else {}
            alias = _scalar(spec["alias"][1]) if "alias" in spec else None
            ids_node = spec["ids"][1] if "ids" in spec else None
            if not isinstance(alias, str) or not isinstance(ids_node, yaml.SequenceNode):
                self.err(file, _line(item), "known_ambiguous entry needs 'alias' (string) and 'ids' (list)")
                continue
            self.known_ambiguous.setdefault(alias, set()).update(str(i.value) for i in ids_node.value)

    # ----------------------------------------------------------------------------------------------------- TSV
    def load_tsv(self, path: Path) -> None:
        file = str(path)
        seen: set[str] = set()
        try:
            fh = path.open(encoding="utf-8-sig", newline="")
            with fh:
                rows = _CommentSkipper(fh)
                reader = csv.reader(rows, delimiter="\t", quoting=csv.QUOTE_NONE, strict=True)
                header = next(reader, None)
                comments = rows.skipped
                if not header:
                    self.err(file, 1, "empty TSV: expected a header row with 'id' and 'alias'")
                    return
                cols = [h.strip().lower() for h in header]
                if "extends" in cols:
                    self._tsv_extends(file, cols, reader)
                    return
                missing = {"id", "alias"} - set(cols)
                unknown = set(cols) - TSV_COLUMNS
                if missing or unknown:
                    what = f"missing column(s) {sorted(missing)}" if missing else f"unknown column(s) {sorted(unknown)}"
                    self.err(file, 1, f"bad TSV header: {what} (columns: id, alias, lang, type, name, wikidata, case)")
                    return
                idx = {c: i for i, c in enumerate(cols)}
                i_id, i_alias = idx["id"], idx["alias"]
                i_lang, i_type, i_name = idx.get("lang"), idx.get("type"), idx.get("name")
                i_qid, i_case = idx.get("wikidata"), idx.get("case")
                i_desc = idx.get("description")
                pin_cols = [(k, idx[k]) for k in PIN_KEYS if k in idx]
                width = len(cols)
                for lineno, row in enumerate(reader, start=2 + comments):
                    if not row or (len(row) == 1 and not row[0].strip()):
                        continue
                    if len(row) != width:
                        self.err(file, lineno, f"expected {width} tab-separated columns, found {len(row)}")
                        continue
                    eid = row[i_id].strip()
                    if not ID_RE.match(eid):
                        self.err(file, lineno, f"invalid id {eid!r}" if eid else "empty id")
                        continue
                    draft = self.drafts.get(eid)
                    if draft is None or eid not in seen:
                        etype = (row[i_type].strip() if i_type is not None else "") or "other"
                        name = (row[i_name].strip() if i_name is not None else "") or row[i_alias].strip()
                        if not TYPE_RE.match(etype):
                            self.err(file, lineno, f"invalid type {etype!r}")
                            continue
                        draft = self.add_entity(file, lineno, eid, etype, name, set())
                        seen.add(eid)
                        if name:
                            self.add_alias(draft, file, lineno, name, "und", None)
                    if i_qid is not None and row[i_qid].strip():
                        qid = row[i_qid].strip()
                        if QID_RE.match(qid):
                            draft.wikidata = qid
                        else:
                            self.err(file, lineno, f"invalid wikidata id {qid!r}: expected Q followed by digits")
                    if i_desc is not None and row[i_desc].strip():
                        draft.description = row[i_desc].strip()
                    for key, i in pin_cols:
                        if row[i].strip():
                            self.pin(file, lineno, eid, key, row[i])
                    lang = (row[i_lang].strip() if i_lang is not None else "") or "und"
                    case = (row[i_case].strip() or None) if i_case is not None else None
                    self.add_alias(draft, file, lineno, row[i_alias], lang, case)
        except UnicodeDecodeError as exc:
            self.err(file, 0, f"not UTF-8 text: {exc}")
        except csv.Error as exc:
            self.err(file, 0, f"TSV syntax error: {exc}")

    def _tsv_extends(self, file: str, cols: list[str], reader: Iterable[list[str]]) -> None:
        """A TSV whose header has ``extends`` instead of ``id``: each row adds an alias to an entity that another
        table defines."""
        bad = set(cols) - {"extends", "alias", "lang", "case"}
        if bad or "alias" not in cols:
            what = f"column(s) {sorted(bad)} not allowed" if bad else "missing column 'alias'"
            self.err(file, 1, f"bad TSV header: {what} (an 'extends' table has columns extends, alias, lang, case)")
            return
        idx = {c: i for i, c in enumerate(cols)}
        i_lang, i_case = idx.get("lang"), idx.get("case")
        for lineno, row in enumerate(reader, start=2):
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != len(cols):
                self.err(file, lineno, f"expected {len(cols)} tab-separated columns, found {len(row)}")
                continue
            lang = (row[i_lang].strip() if i_lang is not None else "") or "und"
            case = (row[i_case].strip() or None) if i_case is not None else None
            alias = row[idx["alias"]]
            self.extend(file, lineno, row[idx["extends"]].strip(),
                        lambda d, a=alias, la=lang, c=case, n=lineno: self.add_alias(d, file, n, a, la, c))

    # --------------------------------------------------------------------------------------------------- check
    def cross_checks(self, folder_key) -> None:  # noqa: ANN001
        owners: dict[str, dict[str, Alias]] = {}
        for d in self.drafts.values():
            for a in d.aliases:
                key = folder_key(a.text)
                owners.setdefault(key, {}).setdefault(d.id, a)
                if not any(c.isalnum() for c in key):
                    file, _, line = a.source.rpartition(":")
                    self.warn(file, int(line or 0), f"alias {a.text!r} of {d.id!r} has no letter or digit after "
                              f"folding ({key!r}): it can never match")
        known = {folder_key(k): v for k, v in self.known_ambiguous.items()}
        for key, by_id in owners.items():
            if len(by_id) > 1 and not set(by_id) <= known.get(key, set()):
                first = next(iter(by_id.values()))
                file, _, line = first.source.rpartition(":")
                self.warn(file, int(line or 0), f"alias {first.text!r} is shared by {len(by_id)} entities: "
                          f"{', '.join(sorted(by_id))} (list it under known_ambiguous or add context)")


class _CommentSkipper:
    """The lines of ``fh`` after its leading ``#`` comment lines (``skipped`` counts them)."""

    def __init__(self, fh) -> None:  # noqa: ANN001
        self.fh, self.skipped, self.started = fh, 0, False

    def __iter__(self):  # noqa: ANN204
        return self

    def __next__(self) -> str:
        line = next(self.fh)
        while not self.started and line.startswith("#"):
            self.skipped += 1
            line = next(self.fh)
        self.started = True
        return line


def _pairs(node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    return {str(k.value): (k, v) for k, v in node.value}


def _scalar(node: yaml.Node) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        return node
    if node.tag == "tag:yaml.org,2002:null":
        return None
    return node.value


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def table_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand directories into their ``*.yaml``/``*.yml``/``*.tsv`` files (sorted, recursive)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.suffix.lower() in {".yaml", ".yml", ".tsv"} and q.is_file()))
        else:
            out.append(p)
    return out


def load_tables(paths: Iterable[str | Path], *, fold_key=None, fold_version: str = "") -> TableSet:  # noqa: ANN001
    """Load and validate table files; raise :class:`TableError` naming file and line of every problem."""
    loader = _Loader()
    unique: dict[Path, Path] = {}
    for path in table_files(paths):  # a file given twice (or bundled and again by path) is read once
        unique.setdefault(path.resolve(), path)
    files = list(unique.values())
    digest = hashlib.sha256(fold_version.encode())
    for path in files:
        if not path.exists():
            loader.err(str(path), 0, "no such table file")
            continue
        digest.update(str(path.name).encode() + b"\0" + path.read_bytes())
        suffix = path.suffix.lower()
        if suffix in {".yaml", ".yml"}:
            loader.load_yaml(path)
        elif suffix in {".tsv", ".tab", ".txt"}:
            loader.load_tsv(path)
        else:
            loader.err(str(path), 0, f"unknown table format {suffix!r}: use .yaml, .yml or .tsv")
    loader.apply_extensions()
    if loader.errors:
        raise TableError(loader.errors)
    if fold_key is not None:
        loader.cross_checks(fold_key)
    entities = {eid: d.freeze() for eid, d in loader.drafts.items()}
    return TableSet(entities, [str(p) for p in files], digest.hexdigest()[:16], loader.warnings, loader.known_ambiguous,
                    loader.pins)


def bundled_dir() -> Path:
    """Where the bundled tables live: ``$NORMALIZER_TABLES_DIR`` if set, else the package's ``alias_tables``
    (package data, see :mod:`normalizer.resources`; the top-level ``alias_tables/`` in a checkout)."""
    import os

    env = os.environ.get("NORMALIZER_TABLES_DIR")
    return Path(env) if env else package_path("alias_tables")
