// The page at /: sends the text to POST /normalize, shows it with the mentions highlighted, a list of the
// entities, an explain view per mention and a resolve box.  Plain JavaScript, no library, no build step.
//
// Offsets: the API counts code points (Python str indexes); JavaScript strings count UTF-16 code units, so
// an emoji or 𝔘 before a mention shifts them.  codePointIndex() maps one to the other for the whole text.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const TYPES = new Set(["organization", "person", "location", "event"]);
  const LANGUAGES = [["en", "English"], ["tr", "Türkçe"], ["ar", "العربية"], ["de", "Deutsch"],
    ["fr", "Français"], ["ru", "Русский"], ["el", "Ελληνικά"]];
  let mentions = [];       // the last answer's mentions, each with u16 start/end added
  let cycle = new Map();   // entity key -> index of the mention the side list jumps to next

  // ------------------------------------------------------------------ helpers
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  // UTF-16 index of every code point index 0..n (n = number of code points) of `text`.
  function codePointIndex(text) {
    const map = new Int32Array(text.length + 1);
    let cp = 0;
    for (let i = 0; i < text.length; cp++) {
      map[cp] = i;
      const c = text.charCodeAt(i);
      const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length &&
        text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) <= 0xdfff;
      i += pair ? 2 : 1;  // a lone surrogate is one code point, as in Python
    }
    map[cp] = text.length;
    return map.subarray(0, cp + 1);
  }

  function typeClass(m) {
    if (m.ambiguous || !m.id) return "t-ambiguous";
    return "t-" + (TYPES.has(m.type) ? m.type : "other");
  }

  function entityKey(m) {
    return m.id ? m.id : "ambiguous:" + m.alias;
  }

  function entityHref(id) {
    return "entities/" + encodeURI(id);  // relative: works behind a path prefix too
  }

  async function postJSON(url, body) {
    const resp = await fetch(url, {
      method: "POST",
      headers: {"Content-Type": "application/json", "Accept": "application/json"},
      body: JSON.stringify(body),
    });
    let data = null;
    try { data = await resp.json(); } catch (e) { /* not JSON: reported below */ }
    if (!resp.ok) {
      const msg = data && data.error ? `${data.error.message} (${data.error.code})` : `HTTP ${resp.status}`;
      throw new Error(msg);
    }
    return data;
  }

  // ------------------------------------------------------------------ analyse
  async function analyse() {
    const text = $("text").value;
    const status = $("status");
    if (!text.trim()) {
      status.textContent = "Paste or type a text first.";
      $("text").focus();
      return;
    }
    status.textContent = "Looking for entities…";
    $("go").disabled = true;
    const started = performance.now();
    try {
      const lang = $("lang").value || null;
      const data = await postJSON("normalize", {text, lang, explain: true});
      render(text, data.mentions);
      const ms = Math.round(performance.now() - started);
      const ids = new Set(data.mentions.map(entityKey));
      status.textContent = `${data.mentions.length} mentions of ${ids.size} entities (${ms} ms).`;
    } catch (err) {
      status.textContent = "Error: " + err.message;
    } finally {
      $("go").disabled = false;
    }
  }

  // The text as one block per line (each with dir="auto", so an Arabic line runs right to left), with a
  // <mark> per mention; a mention that spans a line break is marked in each line.
  function render(text, found) {
    const map = codePointIndex(text);
    mentions = found.map((m, i) => ({...m, index: i, u16start: map[m.start], u16end: map[m.end]}));
    cycle = new Map();
    const doc = $("doc");
    doc.replaceChildren();
    let next = 0;  // first mention that may still touch the current line
    let lineStart = 0;
    for (const line of text.split("\n")) {
      const lineEnd = lineStart + line.length;
      const div = el("div", {class: "line", dir: "auto"});
      let pos = lineStart;
      while (next < mentions.length && mentions[next].u16end <= lineStart) next++;
      for (let k = next; k < mentions.length && mentions[k].u16start < lineEnd; k++) {
        const m = mentions[k];
        const a = Math.max(m.u16start, lineStart), b = Math.min(m.u16end, lineEnd);
        if (a < pos || a >= b) continue;
        if (a > pos) div.append(text.slice(pos, a));
        div.append(markFor(m, text.slice(a, b)));
        pos = b;
      }
      if (pos < lineEnd) div.append(text.slice(pos, lineEnd));
      doc.append(div);
      lineStart = lineEnd + 1;
    }
    renderEntities();
    $("explain").hidden = true;
    $("result").hidden = false;
  }

  function markFor(m, shown) {
    const label = m.id ? `${m.canonical} (${m.type})` : `ambiguous: ${m.candidates.length} candidates`;
    return el("mark", {
      class: `m ${typeClass(m)}`, tabindex: 0, role: "button", "data-i": m.index,
      "data-start": m.start, "data-end": m.end, "aria-label": `${shown}: ${label}`,
    }, shown);
  }

  function renderEntities() {
    const groups = new Map();
    for (const m of mentions) {
      const key = entityKey(m);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(m);
    }
    const sorted = [...groups.entries()].sort((x, y) => y[1].length - x[1].length ||
      (x[1][0].canonical || x[1][0].alias).localeCompare(y[1][0].canonical || y[1][0].alias));
    const list = $("entity-list");
    list.replaceChildren();
    for (const [key, ms] of sorted) {
      const m = ms[0];
      const name = m.id ? m.canonical : m.alias;
      const spellings = [...new Set(ms.map((x) => x.text))];
      list.append(el("li", {class: "entity", "data-key": key},
        el("span", {class: `swatch ${typeClass(m)}`, "aria-hidden": "true"}),
        el("div", {},
          el("button", {type: "button", class: "linkish", onclick: () => jumpTo(key, ms),
                        title: "show the next mention"}, name),
          el("span", {class: "count", "aria-label": `${ms.length} mentions`}, "×" + ms.length),
          m.id ? el("a", {href: entityHref(m.id), class: "small"}, m.id) : el("span", {class: "small"}, "ambiguous"),
          el("div", {class: "spellings", dir: "auto"}, spellings.join(" · ")))));
    }
    $("entity-count").textContent = `(${groups.size})`;
  }

  function jumpTo(key, ms) {
    const i = cycle.get(key) || 0;
    cycle.set(key, (i + 1) % ms.length);
    const mark = document.querySelector(`#doc mark[data-i="${ms[i].index}"]`);
    if (!mark) return;
    mark.scrollIntoView({block: "center", behavior: "smooth"});
    mark.focus({preventScroll: true});
    mark.classList.add("flash");
    setTimeout(() => mark.classList.remove("flash"), 1200);
  }

  // ------------------------------------------------------------------ tooltip and explain view
  function mentionOf(target) {
    const mark = target && target.closest ? target.closest("mark.m") : null;
    return mark ? [mark, mentions[Number(mark.dataset.i)]] : [null, null];
  }

  function describe(m) {
    if (!m.id) {
      return [el("strong", {}, `“${m.text}” is ambiguous`),
        el("ul", {}, m.candidates.map((c) => el("li", {}, `${c.canonical} (${c.id}, ${c.type}) ${c.score}`)))];
    }
    return [
      el("strong", {dir: "auto"}, m.canonical),
      el("dl", {},
        el("dt", {}, "entity"), el("dd", {}, m.id),
        el("dt", {}, "type"), el("dd", {}, m.type),
        el("dt", {}, "method"), el("dd", {}, m.method + (m.inflected ? " (inflected)" : "")),
        el("dt", {}, "score"), el("dd", {}, String(m.score)),
        el("dt", {}, "alias"), el("dd", {dir: "auto"}, `${m.alias}${m.lang && m.lang !== "und" ? " [" + m.lang + "]" : ""}`)),
    ];
  }

  function showTip(mark, m) {
    const tip = $("tip");
    tip.replaceChildren(...describe(m));
    tip.hidden = false;
    const r = mark.getBoundingClientRect();
    const w = tip.offsetWidth, h = tip.offsetHeight;
    let left = Math.min(Math.max(8, r.left + window.scrollX), window.scrollX + document.documentElement.clientWidth - w - 8);
    let top = r.bottom + window.scrollY + 6;
    if (r.bottom + h + 12 > window.innerHeight && r.top > h + 12) top = r.top + window.scrollY - h - 6;
    tip.style.left = left + "px";
    tip.style.top = top + "px";
    mark.setAttribute("aria-describedby", "tip");
  }

  function hideTip(mark) {
    $("tip").hidden = true;
    if (mark) mark.removeAttribute("aria-describedby");
  }

  function showExplain(m) {
    const body = $("explain-body");
    const ex = m.explain || {};
    const rows = [
      ["text", m.text], ["span", `[${m.start}, ${m.end}) code points`],
      ["entity", m.id ? el("a", {href: entityHref(m.id)}, m.id) : "ambiguous"],
      ["canonical name", m.canonical || "—"], ["type", m.type || "—"], ["method", m.method],
      ["score", String(m.score)], ["alias", m.alias], ["alias language", m.lang || "und"],
    ];
    if (ex.key !== undefined) rows.push(["folded key", ex.key]);
    if (ex.fold_steps) rows.push(["fold steps", ex.fold_steps.join(", ") || "none"]);
    if (ex.rules) rows.push(["rules", ex.rules.join(", ")]);
    const feats = Object.entries(ex.features || {});
    body.replaceChildren(...[
      el("dl", {class: "explain-list"}, rows.map(([k, v]) => [el("dt", {}, k), el("dd", {dir: "auto"}, v)])),
      feats.length ? el("table", {class: "features"},
        el("caption", {}, "scoring features"),
        el("tbody", {}, feats.map(([k, v]) => el("tr", {}, el("th", {scope: "row"}, k),
          el("td", {}, typeof v === "object" ? JSON.stringify(v) : String(v)))))) : null,
      m.candidates && m.candidates.length ? el("table", {class: "features"},
        el("caption", {}, "candidates"),
        el("tbody", {}, m.candidates.map((c) => el("tr", {},
          el("th", {scope: "row"}, el("a", {href: entityHref(c.id)}, c.canonical)),
          el("td", {}, `${c.id} · ${c.type} · ${c.score}`))))) : null,
    ].filter(Boolean));
    const panel = $("explain");
    panel.hidden = false;
    panel.scrollIntoView({block: "nearest"});
  }

  function wireDoc() {
    const doc = $("doc");
    const enter = (e) => { const [mark, m] = mentionOf(e.target); if (m) showTip(mark, m); };
    const leave = (e) => { const [mark] = mentionOf(e.target); if (mark) hideTip(mark); };
    doc.addEventListener("mouseover", enter);
    doc.addEventListener("mouseout", leave);
    doc.addEventListener("focusin", enter);
    doc.addEventListener("focusout", leave);
    doc.addEventListener("click", (e) => { const [, m] = mentionOf(e.target); if (m) showExplain(m); });
    doc.addEventListener("keydown", (e) => {
      const [mark, m] = mentionOf(e.target);
      if (!m) return;
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); showExplain(m); }
      else if (e.key === "Escape") hideTip(mark);
    });
  }

  // ------------------------------------------------------------------ input: paste, file, keyboard
  async function loadFile(file) {
    if (!file) return;
    if (!/\.txt$/i.test(file.name) && file.type && !file.type.startsWith("text/")) {
      $("status").textContent = `“${file.name}” is not a text file (.txt).`;
      return;
    }
    $("text").value = await file.text();
    analyse();
  }

  function wireInput() {
    const form = $("analyse");
    form.addEventListener("submit", (e) => { e.preventDefault(); analyse(); });
    $("text").addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); analyse(); }
    });
    $("text").addEventListener("paste", () => setTimeout(analyse, 0));
    $("file").addEventListener("change", (e) => loadFile(e.target.files[0]));
    for (const t of ["dragenter", "dragover"]) {
      form.addEventListener(t, (e) => { e.preventDefault(); form.classList.add("dropping"); });
    }
    form.addEventListener("dragleave", () => form.classList.remove("dropping"));
    form.addEventListener("drop", (e) => {
      e.preventDefault();
      form.classList.remove("dropping");
      loadFile(e.dataTransfer && e.dataTransfer.files[0]);
    });
  }

  // ------------------------------------------------------------------ resolve box
  async function resolveName(e) {
    e.preventDefault();
    const name = $("name").value.trim();
    const status = $("resolve-status");
    const table = $("candidates");
    if (!name) return;
    status.textContent = "Resolving…";
    try {
      const data = await postJSON("resolve", {name, limit: 10, lang: $("resolve-lang").value || null});
      const rows = data.candidates.map((c, i) => el("tr", {},
        el("td", {}, i + 1), el("td", {}, c.score.toFixed(3)),
        el("td", {dir: "auto"}, el("a", {href: entityHref(c.id)}, c.canonical), " ", el("code", {}, c.id)),
        el("td", {}, el("span", {class: `swatch t-${TYPES.has(c.type) ? c.type : "other"}`}), " ", c.type),
        el("td", {dir: "auto"}, c.alias), el("td", {}, c.method)));
      table.tBodies[0].replaceChildren(...rows);
      table.hidden = rows.length === 0;
      status.textContent = rows.length ? `${rows.length} candidates, best first.` : `No entity is named “${name}”.`;
    } catch (err) {
      table.hidden = true;
      status.textContent = "Error: " + err.message;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const select of document.querySelectorAll("select.languages")) {
      select.append(...LANGUAGES.map(([code, name]) => el("option", {value: code, lang: code}, name)));
    }
    wireInput();
    wireDoc();
    $("resolve").addEventListener("submit", resolveName);
    document.addEventListener("keydown", (e) => { if (e.key === "Escape") hideTip(null); });
  });
})();
