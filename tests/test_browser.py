"""The report in a real browser: headless Chromium (Debian's package) driven by Playwright.

`make test` installs Chromium when /usr/bin/chromium is missing (scripts/ensure_chromium.sh);
this test skips only when no Chromium can be found, saying why.
"""

import json
import os
import shutil
from pathlib import Path

import pytest

from wavelens.cli import main

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium() -> str:
    for cand in (os.environ.get("WAVELENS_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                 shutil.which("chromium-browser")):
        if cand and Path(cand).is_file():
            return cand
    pytest.skip("no Chromium at /usr/bin/chromium or on PATH (make test installs it with apt-get install -y "
                "chromium; set WAVELENS_CHROMIUM to use another)")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser") / "run"
    assert main(["demo", "--out", str(out), "--small", "--no-torch"]) == 0
    return out


# the point farthest from its neighbours, in page pixels: a click there hits that point only
_FIND_POINT = """() => {
  const gd = document.getElementById('wl-scatter'), L = gd._fullLayout, xa = L.xaxis, ya = L.yaxis;
  const pts = [];
  gd.data.forEach(t => t.x.forEach((x, k) => pts.push([xa.l2p(x) + xa._offset, ya.l2p(t.y[k]) + ya._offset,
                                                      t.customdata[k]])));
  let best = null, bestD = -1;
  for (const p of pts) {
    if (p[0] < xa._offset + 8 || p[0] > xa._offset + xa._length - 8 ||
        p[1] < ya._offset + 8 || p[1] > ya._offset + ya._length - 8) continue;
    let d = Infinity;
    for (const q of pts) if (q !== p) d = Math.min(d, Math.hypot(p[0] - q[0], p[1] - q[1]));
    if (d > bestD) { bestD = d; best = p; }
  }
  const r = gd.getBoundingClientRect();
  return {x: r.left + best[0], y: r.top + best[1], index: best[2], gap: bestD};
}"""


def test_report_in_headless_chromium(demo_run):
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package (dev extra)")
    exe = _chromium()
    report = demo_run / "report.html"
    url = report.resolve().as_uri()
    console, page_errors, requests, failed = [], [], [], []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("console", lambda m: console.append((m.type, m.text)))
            page.on("pageerror", lambda e: page_errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.on("requestfailed", lambda r: failed.append((r.url, r.failure)))
            page.goto(url, wait_until="load")
            page.wait_for_selector("#wl-scatter[data-ready='1']", timeout=30_000)

            # every image decodes
            images = page.evaluate("Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth])")
            assert len(images) >= 5
            assert all(ok and width > 0 for _, ok, width in images), images

            # the explorer draws one point per series
            n_expected = len(json.loads(page.evaluate(
                "document.getElementById('wl-explorer-data').textContent"))["ids"])
            assert n_expected == 120
            n_drawn = page.evaluate("document.getElementById('wl-scatter').data"
                                    ".reduce((a, t) => a + t.x.length, 0)")
            assert n_drawn == n_expected
            assert page.evaluate("document.getElementById('wl-scatter').data.every(t => t.type.startsWith('scatter'))")

            # a click on a point shows that point's waveform and spectrogram
            page.locator("#wl-scatter").scroll_into_view_if_needed()
            target = page.evaluate(_FIND_POINT)
            assert target["gap"] > 3
            page.mouse.move(target["x"], target["y"])
            page.wait_for_timeout(200)
            page.mouse.click(target["x"], target["y"])
            page.wait_for_function("document.getElementById('wl-wave').getAttribute('data-point-index') !== null",
                                   timeout=10_000)
            shown = page.evaluate("""() => { const w = document.getElementById('wl-wave');
                return {index: +w.getAttribute('data-point-index'), id: w.getAttribute('data-point-id'),
                        n: w.data[0].x.length, title: w.layout.title.text,
                        spec: document.getElementById('wl-spec').data[0].z.length}; }""")
            ids = page.evaluate("window.wavelensExplorer.data.ids")
            assert shown["index"] == target["index"] and shown["id"] == ids[target["index"]]
            assert shown["id"] in shown["title"] and shown["n"] == 400 and shown["spec"] == 48
            assert shown["id"] in page.inner_text("#wl-selected")

            # colour by another column and switch to the rotatable 3-D view: still every point
            page.select_option("#wl-colour", "score")
            page.select_option("#wl-projection", "pca:3")
            page.wait_for_timeout(300)
            assert page.evaluate("document.getElementById('wl-scatter').data"
                                 ".reduce((a, t) => a + t.x.length, 0)") == n_expected
            page.select_option("#wl-projection", "tsne:2")
            page.screenshot(path=str(demo_run / "report_screenshot.png"), full_page=True)
        finally:
            browser.close()

    errors = [text for kind, text in console if kind == "error"]
    assert not errors, errors
    assert not page_errors, page_errors
    assert not failed, failed
    outside = [u for u in requests if u != url and not u.startswith("data:")]
    assert not outside, outside
    shot = demo_run / "report_screenshot.png"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
