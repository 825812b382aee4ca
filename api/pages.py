"""Server-rendered HTML: the entity page (``GET /entities/{id}`` when the client asks for HTML), the
reconciliation preview card and flyout.  Every value is escaped; no script, no resource from elsewhere."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse

from normalizer import Entity

LANGUAGES = {
    "und": "no language given", "en": "English", "tr": "Turkish", "ar": "Arabic", "de": "German",
    "fr": "French", "ru": "Russian", "el": "Greek", "ku": "Kurdish (Kurmanji)", "ckb": "Kurdish (Sorani)",
    "fa": "Persian", "he": "Hebrew", "uk": "Ukrainian", "es": "Spanish", "nl": "Dutch",
}
WIKIDATA_PAGE = "https://www.wikidata.org/wiki/"  # a link for the reader, never loaded by the page
CARD_STYLE = """body{font:14px/1.4 system-ui,sans-serif;margin:8px;color:#1a1a1a;background:#fff}
h1{font-size:16px;margin:0 0 4px}.meta{color:#444;margin:0 0 6px}.names{margin:0;color:#333}
code{background:#f1f1f1;padding:0 3px}"""


def _q(accept: str, media: str) -> float:
    """The quality the Accept header gives ``media`` (exact type, ``type/*`` or ``*/*``; 0 if none)."""
    best, best_rank = 0.0, -1
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        kind = fields[0].lower()
        rank = 2 if kind == media else 1 if kind == media.split("/")[0] + "/*" else 0 if kind == "*/*" else -1
        if rank < 0 or rank < best_rank:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        best, best_rank = q, rank
    return best


def wants_html(request: Request) -> bool:
    """True when the client prefers HTML to JSON (a browser); curl, httpx and fetch() get JSON."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept.lower() and _q(accept, "text/html") > _q(accept, "application/json")


def entity_path(entity_id: str) -> str:
    return "/entities/" + quote(entity_id, safe=":/@+-._")


def names_by_lang(ent: Entity) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for a in ent.aliases:
        names = out.setdefault(a.lang, [])
        if a.text not in names:
            names.append(a.text)
    return dict(sorted(out.items(), key=lambda kv: (kv[0] == "und", kv[0])))


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · normalizer</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/app.css"></head>
<body><header class="top"><a class="brand" href="/">normalizer</a>
<nav aria-label="main"><a href="/">Analyse a text</a> <a href="/docs">API docs</a></nav></header>
<main id="main" class="entity-page">{body}</main></body></html>"""
    return HTMLResponse(html, status_code=status)


def entity_page(ent: Entity) -> HTMLResponse:
    rows = []
    for lang, names in names_by_lang(ent).items():
        label = LANGUAGES.get(lang, lang)
        items = "".join(f'<li dir="auto" lang="{escape(lang)}">{escape(n)}</li>' for n in names)
        rows.append(f'<tr><th scope="row"><code>{escape(lang)}</code> {escape(label)}</th>'
                    f'<td><ul class="names">{items}</ul></td></tr>')
    wd = (f'<dt>Wikidata</dt><dd><a href="{WIKIDATA_PAGE}{quote(ent.wikidata)}" rel="noopener">'
          f"{escape(ent.wikidata)}</a></dd>") if ent.wikidata else ""
    desc = f'<p class="description">{escape(ent.description)}</p>' if ent.description else ""
    body = f"""<h1 dir="auto">{escape(ent.name)}</h1>
<p><span class="type-badge t-{escape(ent.type)}">{escape(ent.type)}</span></p>{desc}
<dl class="ids"><dt>Id</dt><dd><code>{escape(ent.id)}</code></dd>{wd}
<dt>Names</dt><dd>{len(ent.aliases)} in {len(names_by_lang(ent))} languages</dd></dl>
<table class="names-table"><caption>Names by language</caption>
<thead><tr><th scope="col">Language</th><th scope="col">Names</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
<p class="hint">The same data as JSON: <code>curl {escape(entity_path(ent.id))}</code>
(any client that does not ask for HTML).</p>"""
    return _page(ent.name, body)


def not_found_page(entity_id: str) -> HTMLResponse:
    body = f"""<h1>No such entity</h1><p>There is no entity with id <code>{escape(entity_id)}</code>.
Find ids with the <a href="/">resolve box</a> or <code>GET /entities?q=NAME</code>.</p>"""
    return _page("not found", body, status=404)


def card_html(ent: Entity) -> str:
    """A small summary of an entity: canonical name, type, id, Wikidata id, description, some names."""
    names = [n for ns in names_by_lang(ent).values() for n in ns if n != ent.name][:8]
    wd = f" · {escape(ent.wikidata)}" if ent.wikidata else ""
    desc = f"<p>{escape(ent.description)}</p>" if ent.description else ""
    also = f'<p class="names" dir="auto">{escape(" · ".join(names))}</p>' if names else ""
    return (f'<h1 dir="auto">{escape(ent.name)}</h1><p class="meta">{escape(ent.type)} · '
            f"<code>{escape(ent.id)}</code>{wd}</p>{desc}{also}")


def preview_page(ent: Entity | None, entity_id: str) -> HTMLResponse:
    """The reconciliation preview: a standalone page for OpenRefine's iframe (inline style, nothing loaded)."""
    inner = card_html(ent) if ent is not None else f"<p>No entity with id <code>{escape(entity_id)}</code>.</p>"
    html = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>preview</title>'
            f"<style>{CARD_STYLE}</style></head><body>{inner}</body></html>")
    return HTMLResponse(html, status_code=200 if ent is not None else 404)
