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


def _open_and_check(run_dir, *, n_points, min_images, colour_by, view_3d=None, screenshot_view=None):
    """Open ``run_dir/report.html`` in headless Chromium and run the report's checks.

    No console errors, no failed requests, nothing fetched from outside the page, every
    image decodes, the explorer draws ``n_points`` points, a click on a point shows that
    point's waveform and spectrogram; colouring by ``colour_by`` and the 3-D view
    ``view_3d`` still draw every point; a full-page screenshot is saved in the run folder.
    Returns the alt texts of the page's images.
    """
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package (dev extra)")
    exe = _chromium()
    report = run_dir / "report.html"
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
            assert len(images) >= min_images, images
            assert all(ok and width > 0 for _, ok, width in images), images

            # the explorer draws one point per series
            n_expected = len(json.loads(page.evaluate(
                "document.getElementById('wl-explorer-data').textContent"))["ids"])
            assert n_expected == n_points
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
            page.select_option("#wl-colour", colour_by)
            if view_3d is not None:
                page.select_option("#wl-projection", view_3d)
            page.wait_for_timeout(300)
            assert page.evaluate("document.getElementById('wl-scatter').data"
                                 ".reduce((a, t) => a + t.x.length, 0)") == n_expected
            if view_3d is not None:
                assert page.evaluate("document.getElementById('wl-scatter').data.every(t => t.type === 'scatter3d')")
            if screenshot_view is not None:
                page.select_option("#wl-projection", screenshot_view)
            page.screenshot(path=str(run_dir / "report_screenshot.png"), full_page=True)
        finally:
            browser.close()

    errors = [text for kind, text in console if kind == "error"]
    assert not errors, errors
    assert not page_errors, page_errors
    assert not failed, failed
    outside = [u for u in requests if u != url and not u.startswith("data:")]
    assert not outside, outside
    shot = run_dir / "report_screenshot.png"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
    return [alt for alt, _, _ in images]


def test_report_in_headless_chromium(demo_run):
    _open_and_check(demo_run, n_points=120, min_images=5, colour_by="score", view_3d="pca:3",
                    screenshot_view="tsne:2")


ROOT = Path(__file__).resolve().parents[1]
LEELA = ROOT.parent / "shared" / "data" / "leela"


def _example(name):
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"example_{name}_browser", ROOT / "examples" / name / "run.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.main


@pytest.mark.skipif(not LEELA.exists(), reason="the shared LEELA recordings are not beside this checkout")
def test_lightning_vae_report_in_headless_chromium(tmp_path):
    pytest.importorskip("torch")
    _chromium()
    run = _example("lightning_vae")(["--small", "--out", str(tmp_path / "vae"), "--data", str(LEELA)])
    assert json.loads((run / "status.json").read_text())["status"] == "ok"
    alts = _open_and_check(run, n_points=120, min_images=4, colour_by="station", view_3d="latent:3")
    # the study's pictures: the 3-D latent space (by station, by cluster) and a chunk beside its reconstruction
    assert any("by station" in a for a in alts) and any("by cluster" in a for a in alts)
    assert any("reconstruction" in a for a in alts)
    html = (run / "report.html").read_text()
    assert '"latent"' in html and '"station"' in html and '"cluster"' in html


def test_helicopter_reports_in_headless_chromium(tmp_path):
    """The helicopter-format runs: the tuned default detector, and the study's VAE (smaller) when torch is there."""
    _chromium()
    extra = []
    try:
        import torch  # noqa: F401
    except ImportError:
        torch_ok = False
    else:
        torch_ok = True
        import tomllib

        study = tomllib.loads((ROOT / "examples" / "helicopter" / "configs" / "stft_vae.toml").read_text())
        assert study["detector"]["name"] == "reconstruction:conv-vae"
        (tmp_path / "stft_vae.toml").write_text(  # the study's configuration at test size
            '[detector]\nname = "reconstruction:conv-vae"\nrepresentation = "spectrogram(nperseg=256, noverlap=128)"\n'
            "epochs = 2\nbatch_size = 16\nrandom_state = 0\nnum_threads = 1\n\n"
            "[detector.model_params]\nfilters = [4, 8]\ndense = 8\nlatent_dim = 4\n")
        extra = ["--config-files", str(tmp_path / "stft_vae.toml")]
    out = _example("helicopter")(["--small", "--out", str(tmp_path / "heli"), "--configs", "default", *extra])
    summary = json.loads((out / "summary.json").read_text())
    assert all(v["status"] == "ok" for v in summary.values()), summary
    alts = _open_and_check(out / "default", n_points=60, min_images=3, colour_by="label", view_3d="pca:3")
    assert any(a.startswith("ROC") for a in alts) and any("scores" in a for a in alts)
    if torch_ok:
        alts = _open_and_check(out / "stft_vae", n_points=60, min_images=4, colour_by="score")
        assert any("reconstructions" in a for a in alts)
