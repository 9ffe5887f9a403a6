"""report.html from a hand-built output folder: content, escaping, self-containment; `sprintbal report`."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from sprintbal.errors import BadInputError
from sprintbal.report.html import build_html, cancellation, write_html_report
from sprintbal.report.saved import load_saved, normalise_event
from sprintbal.report.svg import HEIGHT, WIDTH, nice_ticks
from tests.report_fixture import BREAKDOWN, make_saved_folder

EVIL = "<script>x</script>.mp4"
runner = CliRunner(env={"COLUMNS": "120", "TERM": "dumb", "NO_COLOR": "1"})

ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "header", "h1", "h2", "h3", "p", "section", "div",
    "dl", "dt", "dd", "span", "figure", "figcaption", "svg", "rect", "line", "text", "path", "video", "article",
    "img", "meter", "button", "details", "summary", "table", "tr", "th", "td", "code", "footer", "script",
}  # fmt: skip


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_text: list[str] = []
        self.style_text: list[str] = []
        self._in = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in = tag

    def handle_endtag(self, tag: str) -> None:
        self._in = ""

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            self.script_text.append(data)
        elif self._in == "style":
            self.style_text.append(data)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out, _ = make_saved_folder(tmp_path / "out", EVIL)
    return out


@pytest.fixture
def folder_with_clip(tmp_path: Path) -> tuple[Path, Path]:
    clip = tmp_path / "clip.mp4"
    out, _ = make_saved_folder(tmp_path / "out", EVIL, clip=clip)
    return out, clip


def _parse(text: str) -> _Tags:
    p = _Tags()
    p.feed(text)
    p.close()
    return p


def test_evil_clip_name_is_escaped_everywhere(folder: Path) -> None:
    page = write_html_report(folder).read_text(encoding="utf-8")
    assert "<script>x" not in page
    assert "&lt;script&gt;x&lt;/script&gt;.mp4" in page
    # explanation, top parts and findings carry markup in the fixture: shown as text, never as tags
    assert "<b>" not in page and "&lt;b&gt;turned&lt;/b&gt;" in page
    assert "<i>" not in page and "&lt;i&gt;trunk&lt;/i&gt;" in page
    assert "&lt;in twisting&gt;" in page
    parsed = _parse(page)
    tags = {t for t, _ in parsed.tags}
    assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
    assert sum(1 for t, _ in parsed.tags if t == "script") == 1
    for tag, attrs in parsed.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)


def test_markup_in_event_fields_is_escaped_in_svg_titles(tmp_path: Path) -> None:
    out, _ = make_saved_folder(tmp_path / "o", "a.mp4")
    rep = json.loads((out / "report.json").read_text())
    rep["balance"]["events"][0]["side"] = '"><img src=x onerror=alert(1)>'
    rep["balance"]["events"][0]["axis"] = "vertical\"' onload='alert(2)"
    (out / "report.json").write_text(json.dumps(rep))
    page = write_html_report(out).read_text(encoding="utf-8")
    parsed = _parse(page)
    assert all(not any(a.startswith("on") for a in attrs) for _, attrs in parsed.tags)
    assert not [a for t, a in parsed.tags if t == "img"]  # no clip given: no image at all
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_page_is_self_contained_with_a_strict_csp(folder_with_clip: tuple[Path, Path]) -> None:
    out, clip = folder_with_clip
    page = write_html_report(out, clip).read_text(encoding="utf-8")
    parsed = _parse(page)
    urls = [v for _, attrs in parsed.tags for k, v in attrs.items() if k in ("src", "href", "action", "poster") and v]
    assert urls, "expected at least the still images"
    for u in urls:
        assert u.startswith("data:image/jpeg;base64,") or u == "overlay.mp4", u
    assert "@import" not in page and "url(" not in page
    # the only absolute URL is the SVG namespace
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) == {"http://www.w3.org/2000/svg"}
    csp = next(a["content"] for t, a in parsed.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp is not None and "default-src 'none'" in csp
    # our own inline script and style match the hashes the policy allows (else the browser would block them)
    for text, kind in (("".join(parsed.script_text), "script"), ("".join(parsed.style_text), "style")):
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"{kind}-src 'sha256-{digest}'" in csp


def test_charts_cards_and_stills(folder_with_clip: tuple[Path, Path]) -> None:
    out, clip = folder_with_clip
    page = write_html_report(out, clip).read_text(encoding="utf-8")
    for cid in ("chart-momentum-vertical", "chart-momentum-mediolateral", "chart-lower-upper", "chart-cancellation",
                "chart-contact", "chart-flight", "chart-score"):
        assert f'id="{cid}"' in page, cid
    parsed = _parse(page)
    cards = [a for t, a in parsed.tags if t == "article" and "event" in (a.get("class") or "")]
    assert len(cards) == 1
    imgs = [a["src"] for t, a in parsed.tags if t == "img"]
    assert len(imgs) == 1
    jpeg = base64.b64decode(imgs[0].split(",", 1)[1])
    assert jpeg[:3] == b"\xff\xd8\xff"  # a JPEG
    assert "upper body overwhelmed lower body" in page
    assert "62%" in page  # confidence
    assert "step 3 (left foot)" in page
    # no overlay beside it yet: no <video>, a hint instead
    assert "<video" not in page and "sprintbal report" in page
    (out / "overlay.mp4").write_bytes(b"stub")
    page = write_html_report(out, clip).read_text(encoding="utf-8")
    assert '<video id="overlay"' in page and 'src="overlay.mp4"' in page


def test_breakdown_is_shaded_at_its_time(folder: Path) -> None:
    page = write_html_report(folder).read_text(encoding="utf-8")
    saved = load_saved(folder)
    t = saved.frame_series("time_s")
    svg = re.search(r'<svg[^>]*id="chart-momentum-vertical".*?</svg>', page, re.S)
    assert svg is not None
    rect = re.search(r'<rect class="breakdown" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg.group(0))
    assert rect is not None
    x0, x1 = 52, WIDTH - 12  # plot area of svg.line_chart
    expect0 = x0 + (BREAKDOWN[0] - t.min()) / (t.max() - t.min()) * (x1 - x0)
    expect1 = x0 + (BREAKDOWN[1] - t.min()) / (t.max() - t.min()) * (x1 - x0)
    assert float(rect.group(1)) == pytest.approx(expect0, abs=0.2)
    assert float(rect.group(1)) + float(rect.group(2)) == pytest.approx(expect1, abs=0.2)
    assert f'viewBox="0 0 {WIDTH} {HEIGHT}"' in svg.group(0)


def test_cancellation_known_answers() -> None:
    a = np.array([1.0, 1.0, 2.0, 1e-6, np.nan])
    b = np.array([-1.0, 1.0, -1.0, 1e-6, 1.0])
    c = cancellation(a, b)
    assert c[0] == pytest.approx(1.0)
    assert c[1] == pytest.approx(0.0)
    assert c[2] == pytest.approx(1 - 1 / 3)
    assert np.isnan(c[3]) and np.isnan(c[4])  # too small to mean anything; unknown
    # over a 3-frame window: magnitude-weighted, sum|A+B| / sum(|A|+|B|) = (0 + 1 + 0) / (2 + 1 + 2)
    w = cancellation(np.array([1.0, 1.0, 1.0]), np.array([-1.0, 0.0, -1.0]), window=3)
    assert w[1] == pytest.approx(1 - 1 / 5)
    assert w[0] == pytest.approx(1 - 1 / 3)  # the edge window holds two frames


def test_nice_ticks_cover_the_range() -> None:
    for lo, hi in ((-0.0037, 0.0041), (0.0, 1.0), (0.3, 0.3), (-12.0, 250.0)):
        ticks = nice_ticks(lo, hi)
        assert ticks[0] <= lo and ticks[-1] >= hi
        assert 2 <= len(ticks) <= 9
        assert np.all(np.diff(ticks) > 0)


def test_load_saved_round_trip(folder: Path) -> None:
    from tests.report_fixture import _track

    saved = load_saved(folder)
    track, _ = _track(30.0, 1.6, (480, 272))
    assert saved.n_frames == track.n_frames
    np.testing.assert_allclose(saved.landmarks_xy, track.xy, atol=0.006)
    np.testing.assert_allclose(saved.landmark_t, track.t, atol=1e-6)
    assert saved.has_kinematics
    assert set(saved.frame_words("push_side")) <= {"left", "right"}
    assert saved.frame_series("H_push_vertical_norm").shape == (track.n_frames,)
    (ev,) = saved.events
    assert (ev.start_s, ev.end_s) == BREAKDOWN
    assert ev.side == "upper body" and ev.opposed_side == "lower body" and ev.axis == "vertical"
    assert ev.peak_frame == 23 and ev.step_number == 3 and ev.confidence == pytest.approx(0.62)


def test_normalise_event_accepts_balance_to_dict() -> None:
    from sprintbal.balance import BreakdownEvent

    ev = BreakdownEvent(
        axis="mediolateral", start_frame=3, end_frame=6, start_t=0.1, end_t=0.2, duration_s=0.133, step_index=0,
        step_foot="left", in_contact=True, peak_frame=5, peak_t=0.1667, peak_value=0.2, peak_z=-4.0,
        peak_net_norm=0.01, peak_net_si=0.1, measure="pair_cancellation", basis="both", side="push side",
        opposed_side="swing side", rotation_sign=1, rotation="pitched back", rotation_camera="", top_segments=(),
        top_parts=(("right leg", 1.0),), confidence=0.7, explanation="Because.",
    )  # fmt: skip
    s = normalise_event(json.loads(json.dumps(ev.to_dict())))
    assert (s.start_s, s.end_s, s.peak_s, s.peak_frame, s.step_number) == (0.1, 0.2, 0.1667, 5, 1)
    assert (s.side, s.opposed_side, s.axis, s.explanation, s.confidence) == (
        "push side", "swing side", "mediolateral", "Because.", 0.7,
    )


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda d: d / "missing", "not a folder"),
        (lambda d: d, "no report.json"),
        (lambda d: (d / "report.json").write_text("{not json") and d, "cannot read"),
        (lambda d: (d / "report.json").write_text('{"a": 1}') and d, "not a sprintbal report"),
    ],
    ids=["missing", "empty-folder", "bad-json", "other-json"],
)
def test_not_an_output_folder_is_one_line_error(tmp_path: Path, make, fragment: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BadInputError) as err:
        load_saved(make(tmp_path))
    assert fragment in err.value.message and "\n" not in err.value.message


def test_pose_only_folder_renders_without_kinematics(folder: Path) -> None:
    rep = json.loads((folder / "report.json").read_text())
    rep["kinematics"] = None
    rep["balance"] = None
    (folder / "report.json").write_text(json.dumps(rep))
    (folder / "frames.csv").unlink()
    page = build_html(load_saved(folder))
    assert "No kinematics were saved" in page and "Balance was not assessed" in page
    assert "chart-momentum" not in page


def test_write_is_atomic_and_leaves_no_temp_files(folder: Path) -> None:
    write_html_report(folder)
    write_html_report(folder)
    assert sorted(p.name for p in folder.iterdir()) == [
        "frames.csv", "landmarks.csv", "report.html", "report.json", "steps.csv",
    ]


# ---- CLI: sprintbal report OUTDIR ----------------------------------------------------------------------------


def test_cli_report_rebuilds_html_and_overlay(folder_with_clip: tuple[Path, Path]) -> None:
    from sprintbal.cli import app

    out, clip = folder_with_clip
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    res = runner.invoke(app, ["report", str(out), "--clip", str(clip)])
    assert res.exit_code == 0, res.output
    assert (out / "report.html").is_file() and (out / "overlay.mp4").is_file()
    for name, data in before.items():  # the data files are untouched
        if name != "report.json":
            assert (out / name).read_bytes() == data
    # report.json only gains the visuals in its file list
    old, new = json.loads(before["report.json"]), json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert new["files"] == {**old["files"], "html": "report.html", "overlay": "overlay.mp4"}
    assert {k: v for k, v in new.items() if k != "files"} == {k: v for k, v in old.items() if k != "files"}
    assert 'src="overlay.mp4"' in (out / "report.html").read_text(encoding="utf-8")


def test_cli_report_finds_recorded_clip_and_no_overlay_option(folder_with_clip: tuple[Path, Path]) -> None:
    from sprintbal.cli import app

    out, _ = folder_with_clip
    res = runner.invoke(app, ["report", str(out), "--no-overlay", "--quiet"])
    assert res.exit_code == 0, res.output
    assert res.output == ""
    assert (out / "report.html").is_file() and not (out / "overlay.mp4").exists()
    assert "data:image/jpeg;base64," in (out / "report.html").read_text(encoding="utf-8")


def test_cli_report_errors_are_one_line(tmp_path: Path, folder_with_clip: tuple[Path, Path]) -> None:
    from sprintbal.cli import app

    res = runner.invoke(app, ["report", str(tmp_path / "nope")])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("sprintbal: error: ") and "not a folder" in lines[0]
    out, _ = folder_with_clip
    other = tmp_path / "other.mp4"
    other.write_bytes(b"not the same clip")
    res = runner.invoke(app, ["report", str(out), "--clip", str(other)])
    assert res.exit_code == 2 and "is not the clip" in res.output
    assert not (out / "report.html").exists()


def test_visual_failures_become_warnings_and_keep_the_files(folder: Path, tmp_path: Path) -> None:
    from sprintbal.report.visuals import write_visuals

    bad_clip = tmp_path / "broken.mp4"
    bad_clip.write_text("not a video\n" * 20)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    res = write_visuals(folder, bad_clip, overlay=True)
    assert res.overlay is None and res.html is not None
    assert res.warnings and all("\n" not in w for w in res.warnings)
    assert any(w.startswith("overlay.mp4 was not written") for w in res.warnings)
    assert not (folder / "overlay.mp4").exists()
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temp files left behind
    for name, data in before.items():
        if name != "report.json":  # report.json only gains report.html in its file list
            assert (folder / name).read_bytes() == data
    assert json.loads((folder / "report.json").read_text())["files"]["html"] == "report.html"


def test_events_csv_is_the_fallback_when_report_json_has_no_event_list(tmp_path: Path) -> None:
    out, _ = make_saved_folder(tmp_path / "o", "a.mp4")
    rep = json.loads((out / "report.json").read_text())
    ev = rep["balance"].pop("events")[0]
    (out / "report.json").write_text(json.dumps(rep))
    cols = ["event", "axis", "start_t", "end_t", "peak_frame", "side", "opposed_side", "confidence", "explanation"]
    rows = ["1", ev["axis"], "0.7", "0.86", "23", ev["side"], ev["opposed_side"], "0.62", '"Said, with a comma."']
    (out / "events.csv").write_text("# sprintbal rotational balance table\n# times in seconds\n"
                                    + ",".join(cols) + "\n" + ",".join(rows) + "\n")
    (s,) = load_saved(out).events
    assert (s.start_s, s.end_s, s.peak_frame, s.confidence) == (0.7, 0.86, 23, 0.62)
    assert s.explanation == "Said, with a comma."


def test_all_nan_momentum_says_so_instead_of_empty_plots(folder: Path) -> None:
    text = (folder / "frames.csv").read_text().splitlines()
    header = text[0].split(",")
    keep = [i for i, c in enumerate(header) if not c.startswith("H_")]
    rows = [",".join(c if i in keep else "" for i, c in enumerate(r.split(","))) for r in text[1:]]
    (folder / "frames.csv").write_text("\n".join([text[0], *rows]) + "\n")
    page = build_html(load_saved(folder))
    assert "No angular momentum could be computed" in page
    assert "chart-momentum-vertical" not in page and "chart-contact" in page


def test_uncertain_events_are_listed_not_carded_or_shaded(folder: Path) -> None:
    rep = json.loads((folder / "report.json").read_text())
    ev = dict(rep["balance"]["events"][0], start_t=0.2, end_t=0.3, confidence=0.1)
    rep["balance"]["uncertain_events"] = [ev]
    (folder / "report.json").write_text(json.dumps(rep))
    page = build_html(load_saved(folder))
    assert "1 possible breakdown too uncertain to report" in page
    assert page.count('<article class="card event"') == 1
    svg = re.search(r'<svg[^>]*id="chart-momentum-vertical".*?</svg>', page, re.S)
    assert svg is not None and svg.group(0).count('class="breakdown"') == 1


def test_kinematics_notes_reach_the_page_and_the_terminal(folder: Path) -> None:
    # caveats of the kinematics stage (scale, treadmill, a badly timed foot) are shown, not only filed
    import io

    from rich.console import Console

    from sprintbal.report.console import render_summary

    rep_path = folder / "report.json"
    rep = json.loads(rep_path.read_text(encoding="utf-8"))
    note = "The right foot's touchdowns are timed less well <b>x</b> [red]."
    rep["kinematics"]["info"]["notes"] = [note, note]  # a repeated note is shown once
    rep_path.write_text(json.dumps(rep), encoding="utf-8")
    page = write_html_report(folder).read_text(encoding="utf-8")
    assert page.count("timed less well &lt;b&gt;x&lt;/b&gt; [red].") == 1 and "<b>x</b>" not in page
    buf = io.StringIO()
    render_summary(rep, Console(file=buf, width=200, color_system=None))
    assert buf.getvalue().count("timed less well <b>x</b> [red].") == 1  # rich markup in a note is text


def test_what_changed_text_follows_the_explanation_and_falls_back_to_shares() -> None:
    from sprintbal.report.balance_console import changed_parts_text

    ev = {
        "changed_parts": [{"name": "left arm", "usual_ratio": 0.69}, {"name": "left leg", "usual_ratio": 0.8}],
        "top_parts": [{"name": "right leg", "share": 0.27}, {"name": "left arm", "share": 0.26}],
    }
    assert changed_parts_text(ev) == "left arm 69%, left leg 80% of usual"
    # a report saved before the field (or an event without a normal pattern): the parts by share
    assert changed_parts_text({"top_parts": ev["top_parts"]}) == "right leg, left arm"
    assert changed_parts_text({"changed_parts": [{"name": "trunk", "usual_ratio": None}]}) == "trunk"
    assert changed_parts_text({}) == ""
