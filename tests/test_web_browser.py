"""The web page at ``/`` in a real browser: Debian's headless Chromium driven by Playwright's Python package
(``executable_path``, no browser download), against a real ``normalizer serve`` with the bundled tables.

Where the highlights sit is measured in the rendered DOM (the text of every line and mark, walked in order),
not read from data attributes.  Every request the page makes must go to the server itself (works offline).
Without Chromium these tests skip, or fail when ``NORMALIZER_REQUIRE_BROWSER=1`` (set by ``.ci/run``)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_api_server import Server, start

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "mit-daesh-2023.txt"
CHROMIUM = os.environ.get("NORMALIZER_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]
# Own test sentences.  Astral characters (two UTF-16 units each) come before the Arabic mentions, so marks
# land on the right words only if the page maps code-point offsets to UTF-16.
ARABIC = "📰 أعلنت تركيا أن عناصر من داعش فروا إلى سوريا."
TURKISH = "MİT'in Daesh operasyonu Türkiye'de."
ASTRAL = "𝔘𝔫𝔦 😀 "  # Fraktur letters are strong left-to-right: not at the start of the Arabic line
pytestmark = pytest.mark.slow

# The rendered text (lines joined by "\n") and every mark's UTF-16 span in it, walked in document order.
WALK = """() => {
  const lines = [...document.querySelectorAll('#doc .line')];
  let text = '', marks = [];
  lines.forEach((line, n) => {
    if (n) text += '\\n';
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const mark = node.parentElement.closest('mark.m');
      if (mark) marks.push({start: text.length, end: text.length + node.data.length, text: node.data,
                            cls: mark.className, i: Number(mark.dataset.i)});
      text += node.data;
    }
  });
  return {text, marks};
}"""


def u16_to_cp(text: str, u16: int) -> int:
    return len(text.encode("utf-16-le")[: 2 * u16].decode("utf-16-le"))


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    required = os.environ.get("NORMALIZER_REQUIRE_BROWSER") == "1"
    problem = None
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).is_file()):
        problem = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        problem = "the playwright package is not installed (pip install -e '.[test]')"
    if problem:
        if required:
            pytest.fail(problem + " and NORMALIZER_REQUIRE_BROWSER=1")
        pytest.skip(problem)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start(tmp_path_factory.mktemp("web_server"))  # bundled tables
    httpx.post(srv.url + "/normalize", json={"text": TURKISH}, timeout=60)  # build the lazy indexes once
    yield srv
    srv.stop()


@pytest.fixture()
def page(chromium: Any, server: Server) -> Iterator[Any]:
    """A page whose requests to anywhere but the server are refused and recorded (must stay empty)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    outside: list[str] = []
    errors: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(server.url) or url.startswith("data:"):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    pg = context.new_page()
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.set_default_timeout(30_000)
    yield pg
    context.close()
    assert outside == [], "the page loaded something from elsewhere"
    assert errors == [], "JavaScript errors on the page"


def analyse(page: Any, server: Server, text: str) -> dict[str, Any]:
    page.goto(server.url + "/")
    page.fill("#text", text)
    page.click("#go")
    page.wait_for_function("document.querySelector('#status').textContent.includes('mentions of')")
    return page.evaluate(WALK)


def placed(walk: dict[str, Any]) -> list[tuple[int, int, str]]:
    """Each mark's (start, end) in code points of the rendered text, and its DOM text."""
    t = walk["text"]
    return [(u16_to_cp(t, m["start"]), u16_to_cp(t, m["end"]), m["text"]) for m in walk["marks"]]


def api_mentions(server: Server, text: str) -> list[tuple[int, int, str]]:
    got = httpx.post(server.url + "/normalize", json={"text": text}, timeout=60).json()["mentions"]
    return [(m["start"], m["end"], m["text"]) for m in got]


@pytest.mark.skipif(not SEED.exists(), reason="the seed article (../shared/seed) is not present")
def test_seed_article_highlights_sit_on_their_characters(page: Any, server: Server, tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8").replace("\r\n", "\n")
    walk = analyse(page, server, text)
    assert walk["text"] == text  # the page shows the whole text, nothing added or lost
    marks = placed(walk)
    assert marks == api_mentions(server, text)
    for s, e, shown in marks:
        assert text[s:e] == shown
    for name in ("MİT", "Daesh", "Türkiye"):
        spans = [(s, e) for s, e, shown in marks if shown == name]
        assert spans, f"no highlight of {name}"
        assert spans[0][0] == text.index(name)  # the first one is on the first occurrence
        assert all(text[s:e] == name for s, e in spans)
    daesh = page.locator("#doc mark", has_text="Daesh").first
    daesh.hover()
    tip = page.locator("#tip")
    tip.wait_for(state="visible")
    assert "Islamic State" in tip.inner_text() and "org:isis" in tip.inner_text()
    page.screenshot(path=str(tmp_path / "seed-article.png"))
    assert (tmp_path / "seed-article.png").stat().st_size > 10_000


def test_arabic_highlights_on_the_right_words_right_to_left(page: Any, server: Server, tmp_path: Path) -> None:
    text = ASTRAL + TURKISH + "\n" + ARABIC
    walk = analyse(page, server, text)
    assert walk["text"] == text
    marks = placed(walk)
    assert marks == api_mentions(server, text)
    assert len(text.encode("utf-16-le")) // 2 == len(text) + 5  # five characters outside the BMP
    arabic = [(s, e, shown) for s, e, shown in marks if s > text.index("\n")]
    assert [shown for _, _, shown in arabic] == ["تركيا", "داعش", "سوريا"]
    for s, e, shown in arabic:
        assert text[s:e] == shown
    lines = page.locator("#doc .line")
    assert lines.nth(0).evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert lines.nth(1).evaluate("e => getComputedStyle(e).direction") == "rtl"
    boxes = [lines.nth(1).locator("mark", has_text=w).bounding_box() for w in ("تركيا", "داعش", "سوريا")]
    assert boxes[0]["x"] > boxes[1]["x"] > boxes[2]["x"], "right to left: the first word is the rightmost"
    page.screenshot(path=str(tmp_path / "arabic.png"))
    with page.expect_request(lambda r: r.url.endswith("/normalize")) as sent:
        page.select_option("#lang", "ar")
        page.click("#go")
    assert sent.value.post_data_json == {"text": text, "lang": "ar", "explain": True}


def test_keyboard_explain_and_entity_list(page: Any, server: Server) -> None:
    analyse(page, server, TURKISH)
    controls = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter(c => c.labels.length === 0).map(c => c.id)""")
    assert controls == [], "every control has a label"
    page.focus("#text")
    for _ in range(20):  # Tab through the controls to the first mention
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('mark.m')"):
            break
    assert page.evaluate("document.activeElement.textContent") == "MİT"
    assert page.locator("#tip").is_visible() and "org:mit-turkey" in page.inner_text("#tip")
    page.keyboard.press("Enter")
    explain = page.locator("#explain")
    explain.wait_for(state="visible")
    assert "folded key" in explain.inner_text() and "org:mit-turkey" in explain.inner_text()
    page.keyboard.press("Escape")
    assert not page.locator("#tip").is_visible()
    items = page.locator("#entity-list li")
    assert items.count() == 3
    page.locator("#entity-list li", has_text="Islamic State").locator("button").click()
    assert page.evaluate("document.activeElement.textContent") == "Daesh"


def test_resolve_box_any_script(page: Any, server: Server) -> None:
    page.goto(server.url + "/")
    assert page.locator("#resolve-lang option").count() == page.locator("#lang option").count() == 8
    for name, entity in (("Ebu Bekir el-Bağdadi", "per:abu-bakr-al-baghdadi"), ("داعش", "org:isis")):
        page.select_option("#resolve-lang", "tr" if entity.startswith("per") else "ar")
        page.fill("#name", name)
        page.press("#name", "Enter")
        first = page.locator("#candidates tbody tr").first
        page.wait_for_function(f"document.querySelector('#candidates tbody tr')?.textContent.includes('{entity}')")
        assert entity in first.inner_text()
    page.fill("#name", "qqqqqqqqqqqq")
    page.press("#name", "Enter")
    page.wait_for_function("document.querySelector('#resolve-status').textContent.includes('No entity')")


def test_a_dropped_or_opened_txt_file_is_analysed(page: Any, server: Server, tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_text(TURKISH, encoding="utf-8")
    page.goto(server.url + "/")
    page.set_input_files("#file", str(path))
    page.wait_for_function("document.querySelectorAll('#doc mark').length === 3")
    page.fill("#text", "")
    drop = page.evaluate_handle("""text => { const dt = new DataTransfer();
        dt.items.add(new File([text], 'dropped.txt', {type: 'text/plain'})); return dt; }""", ARABIC)
    page.dispatch_event("#analyse", "drop", {"dataTransfer": drop})
    page.wait_for_function("document.querySelector('#doc').textContent.includes('سوريا')")
    assert page.input_value("#text") == ARABIC


def test_docs_and_entity_pages_work_offline(page: Any, server: Server) -> None:
    page.goto(server.url + "/docs")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() >= 10  # Swagger UI rendered from the local files
    assert "/reconcile" in page.inner_text("#swagger-ui")
    page.goto(server.url + "/entities/org:isis")
    assert page.inner_text("h1") == "Islamic State"
    assert "داعش" in page.inner_text(".names-table") and "DEAŞ" in page.inner_text(".names-table")
    page.goto(server.url + "/reconcile/preview/loc:turkey")
    assert "Türkiye" in page.inner_text("h1")


CONTRAST = """sel => [...document.querySelectorAll(sel)].map(e => {
  const rgb = s => s.match(/[\\d.]+/g).slice(0, 4).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((acc, v, i) => acc + v * [0.2126, 0.7152, 0.0722][i], 0);
  let bg = e, back = rgb(getComputedStyle(bg).backgroundColor);
  while (back.length === 4 && back[3] === 0 && bg.parentElement) {
    bg = bg.parentElement;
    back = rgb(getComputedStyle(bg).backgroundColor);
  }
  if (back.length === 4 && back[3] === 0) back = [255, 255, 255];
  const [a, b] = [lum(rgb(getComputedStyle(e).color)), lum(back)];
  return [e.textContent.slice(0, 30), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
})"""


def test_every_highlight_type_and_the_text_have_enough_contrast(page: Any, server: Server) -> None:
    """WCAG AA: at least 4.5:1 between text and its background, for each entity type's highlight too."""
    walk = analyse(page, server, "Ebu Bekir el-Bağdadi, Fırat Kalkanı Harekâtı'nda MİT ve Daesh; Türkiye.")
    classes = {c for m in walk["marks"] for c in m["cls"].split() if c.startswith("t-")}
    assert classes >= {"t-person", "t-event", "t-organization", "t-location"}
    page.locator("#doc mark").first.hover()
    for selector in ("#doc mark", "label", ".hint", "#status", "#entity-list button", "#entity-list .small",
                     "nav a", "#tip dd", "#tip dt"):
        ratios = page.evaluate(CONTRAST, selector)
        assert ratios and all(1 <= r <= 21 for _, r in ratios), (selector, ratios)  # real ratios, not NaN
        low = [(text, round(r, 2)) for text, r in ratios if r < 4.5]
        assert low == [], f"{selector}: contrast below 4.5:1"


def test_a_mention_across_a_line_break_is_marked_on_both_lines(page: Any, server: Server) -> None:
    text = "They fought the Islamic\nState in Syria."
    walk = analyse(page, server, text)
    assert walk["text"] == text
    api = api_mentions(server, text)
    assert api[0][2] == "Islamic\nState"
    pieces = [(s, e, shown, m["i"]) for (s, e, shown), m in zip(placed(walk), walk["marks"], strict=True)]
    first = [p for p in pieces if p[3] == 0]
    assert [p[2] for p in first] == ["Islamic", "State"]
    assert (first[0][0], first[-1][1]) == api[0][:2]
    page.locator("#doc .line").nth(1).locator("mark").first.hover()
    assert "Islamic State" in page.inner_text("#tip")
