"""report.html in a real headless Chromium: it renders, runs nothing it should not, and stays offline.

Chromium is driven over the DevTools protocol on a pipe (tests/chromium.py, stdlib only). CI installs
it with ``apt-get install -y chromium`` (.ci/run); without it these tests skip with a reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chromium import Chromium, find_chromium
from tests.report_fixture import BREAKDOWN, make_saved_folder

pytestmark = pytest.mark.browser

EVIL = "<script>x</script>.mp4"


@pytest.fixture(scope="module")
def chromium() -> str:
    exe = find_chromium()
    if exe is None:
        pytest.skip("no chromium on PATH (CI installs it with `apt-get install -y chromium`)")
    return exe


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sprintbal.report.visuals import write_visuals

    d = tmp_path_factory.mktemp("browser")
    clip = d / "clip.mp4"
    out, _ = make_saved_folder(d / "out", EVIL, clip=clip)
    res = write_visuals(out, clip, overlay=True)
    assert res.warnings == () and res.html is not None and res.overlay is not None
    return res.html


def test_report_renders_offline_without_errors(chromium: str, page: Path, tmp_path: Path) -> None:
    with Chromium(chromium) as b:
        b.viewport(1280, 900)
        b.open(page.as_uri())
        # plots: every chart drew lines or bars
        charts = b.js(
            "[...document.querySelectorAll('svg.chart')].map(s => [s.id, "
            "s.querySelectorAll('path.line').length + s.querySelectorAll('rect.bar').length, "
            "Math.round(s.getBoundingClientRect().width)])"
        )
        ids = {c[0] for c in charts}
        assert {"chart-momentum-vertical", "chart-momentum-mediolateral", "chart-lower-upper",
                "chart-cancellation", "chart-contact", "chart-flight", "chart-score"} <= ids  # fmt: skip
        assert all(n > 0 and w > 200 for _, n, w in charts), charts
        # breakdown cards with a decoded still
        cards = b.js(
            "[...document.querySelectorAll('article.event')].map(a => { const i = a.querySelector('img'); "
            "return [a.innerText, i ? i.naturalWidth : 0]; })"
        )
        assert len(cards) == 1
        text, still_width = cards[0]
        assert still_width > 100
        assert "upper body overwhelmed lower body" in text and "62%" in text
        assert f"{BREAKDOWN[0]:.2f}–{BREAKDOWN[1]:.2f} s" in text
        # the evil clip name is shown as text, and nothing of it ran
        assert EVIL in b.js("document.querySelector('h1').textContent")
        assert EVIL in b.js("document.title")
        assert b.js("typeof window.x") == "undefined"
        assert b.js("document.scripts.length") == 1
        # the overlay video beside the page loads and has the clip's length
        meta = b.js(
            "new Promise(r => { const v = document.getElementById('overlay'); "
            "const done = () => r({w: v.videoWidth, h: v.videoHeight, d: v.duration, err: v.error && v.error.code}); "
            "if (v.readyState >= 1) done(); else { v.addEventListener('loadedmetadata', done); "
            "v.addEventListener('error', done); v.load(); } })",
            await_promise=True,
        )
        assert meta["err"] is None, meta
        assert (meta["w"], meta["h"]) == (480, 272)
        assert meta["d"] == pytest.approx(1.6, abs=0.05)
        # our one script works under the page's CSP: the card's button seeks the video
        assert b.js("document.getElementById('overlay').currentTime") == 0
        b.js("document.querySelector('button.seek').click()")
        b.settle(0.2)
        # it jumped to the breakdown's start and plays from there (0.2 s of playing from 0 could not get there)
        assert b.js("document.getElementById('overlay').currentTime") >= BREAKDOWN[0] - 0.02
        shot = tmp_path / "desktop.png"
        b.screenshot(shot, width=1280)
        assert shot.stat().st_size > 20_000
        assert b.problems() == [], b.problems()
        assert b.dialogs == []
        assert b.non_local_requests() == [], b.non_local_requests()
        assert any(u.startswith("file:") for u in b.requests)  # the recorder did see the page's own loads


def test_report_fits_a_phone(chromium: str, page: Path) -> None:
    with Chromium(chromium) as b:
        b.viewport(390, 844, mobile=True, scale=2)
        b.open(page.as_uri())
        width = b.js("document.documentElement.clientWidth")
        assert width == 390
        # nothing overflows sideways (wide tables scroll inside their own box)
        assert b.js("document.documentElement.scrollWidth") <= width
        chart_w = b.js("Math.round(document.getElementById('chart-momentum-vertical').getBoundingClientRect().width)")
        assert 300 <= chart_w <= 390
        font = b.js("parseFloat(getComputedStyle(document.body).fontSize)")
        assert font >= 14
        assert b.problems() == [] and b.non_local_requests() == []


def test_injected_markup_cannot_run_or_phone_home(chromium: str, tmp_path: Path) -> None:
    """Even a report.json full of hostile strings yields a page that runs nothing and requests nothing."""
    import json

    from sprintbal.report.html import write_html_report

    out, _ = make_saved_folder(tmp_path / "o", '<img src="https://example.com/a.png" onerror="alert(1)">.mp4')
    rep = json.loads((out / "report.json").read_text())
    rep["balance"]["events"][0]["explanation"] = "<script>alert('x')</script><img src=http://example.com/b>"
    rep["notes"] = ["<iframe src='http://example.com'></iframe>"]
    (out / "report.json").write_text(json.dumps(rep))
    html = write_html_report(out)
    with Chromium(chromium) as b:
        b.open(html.as_uri())
        assert b.js("document.querySelectorAll('iframe, img').length") == 0
        assert "<script>alert('x')</script>" in b.js("document.querySelector('article.event').innerText")
        assert b.dialogs == [] and b.problems() == [] and b.non_local_requests() == []


def test_the_harness_does_see_errors_dialogs_and_requests(chromium: str, tmp_path: Path) -> None:
    """Guard against a blind harness: a page that misbehaves must be caught on every count."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!doctype html><title>bad</title><img src='https://example.com/y.png'>"
        "<script>console.error('boom'); alert('hi'); undefinedThing();</script>",
        encoding="utf-8",
    )
    with Chromium(chromium) as b:
        b.open(bad.as_uri())
        b.settle(0.5)
        assert any("boom" in p for p in b.problems())
        assert any("undefinedThing" in e for e in b.exceptions)
        assert b.dialogs == ["alert: hi"]
        assert any(u.startswith("https://example.com/") for u in b.non_local_requests())


@pytest.mark.video
def test_end_to_end_synthetic_clip(chromium: str, tmp_path: Path) -> None:
    """Generated clip with a dropped arm -> `sprintbal analyze` -> overlay + page that renders in Chromium."""
    import json

    import numpy as np
    from typer.testing import CliRunner

    from sprintbal.cli import app
    from sprintbal.synth.generate import generate_clip
    from sprintbal.synth.motion import parse_perturbation
    from tests.report_fixture import decode_video as _decode

    clip = tmp_path / "synthetic run.mp4"
    generate_clip(clip, fps=30, size=(640, 360), duration_s=2.0,
                  perturbations=[parse_perturbation("arm_drop_left:0.8:1.6:1.0")])
    res = CliRunner().invoke(app, ["analyze", str(clip), "--out", str(tmp_path / "out"), "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    folder = tmp_path / "out" / clip.stem
    src_t, _, _, _ = _decode(clip)
    ov_t, _, _, _ = _decode(folder / "overlay.mp4")
    assert len(ov_t) == len(src_t)
    np.testing.assert_allclose(ov_t, src_t, atol=1e-4)
    n_events = len(report["balance"]["events"])
    with Chromium(chromium) as b:
        b.open((folder / "report.html").as_uri())
        assert b.js("document.querySelectorAll('article.event').length") == n_events
        assert b.js("[...document.querySelectorAll('article.event img')].every(i => i.naturalWidth > 0)")
        assert b.js("document.querySelectorAll('svg.chart path.line').length") >= 8
        assert b.problems() == [] and b.non_local_requests() == []
