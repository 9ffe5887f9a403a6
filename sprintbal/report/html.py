"""The one-file HTML report, rebuilt from a clip's saved output folder.

``report.html`` is a single self-contained page: inline CSS, inline SVG charts drawn here, still
frames embedded as base64 JPEG, one tiny inline script. It loads nothing from the network: a
Content-Security-Policy in the page forbids it (only ``data:`` images and the local ``overlay.mp4``
beside the page are allowed).

The annotated video is *referenced*, not embedded: ``<video src="overlay.mp4">`` by relative path,
so the page stays small (an overlay of a long clip is tens of MB) and plays when opened from the
output folder. Moving ``report.html`` alone keeps every chart and still; only the video is lost.

Every string that comes from a file name or from metadata is passed through :func:`html.escape`.
"""

from __future__ import annotations

import base64
import hashlib
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sprintbal.atomic import write_text_atomic
from sprintbal.errors import SprintbalError
from sprintbal.report.balance_console import changed_parts_text
from sprintbal.report.saved import SavedAnalysis, SavedEvent, load_saved
from sprintbal.report.svg import Band, Bar, Series, Strip, bar_chart, esc, line_chart, runs

if TYPE_CHECKING:
    from sprintbal.video import VideoInfo

#: File name of the annotated video the page refers to (beside ``report.html``).
OVERLAY_NAME = "overlay.mp4"
#: File name of the page.
HTML_NAME = "report.html"
#: Longest side, pixels, of the still frames embedded in the breakdown cards (cropped to the runner).
STILL_MAX_SIDE = 480
#: Breakdown cards shown open; the rest sit in a collapsed "show more" block.
CARDS_OPEN = 6
#: At most this many breakdown cards get a still (each is ~30-60 kB of base64).
MAX_STILLS = 24

AXES = (
    ("vertical", "vertical axis (yaw, seen from above)"),
    ("mediolateral", "mediolateral axis (pitch, seen from the side)"),
)

_CSS = """
:root{--push:#d95f02;--swing:#1b9e77;--total:#222;--lower:#7570b3;--upper:#e7298a;--left:#3b6fb6;--right:#c9a227;
--bad:#d62728;--ink:#1d1d1f;--muted:#6b6b70;--line:#e3e3e8;--card:#fff;--bg:#f5f5f7}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1120px;margin:0 auto;padding:16px}
h1{font-size:1.5rem;margin:.2em 0;overflow-wrap:anywhere}
h2{font-size:1.15rem;margin:1.6em 0 .5em}
h3{font-size:1rem;margin:.2em 0 .4em}
p{margin:.4em 0}
.sub,.muted,figcaption{color:var(--muted)}
figcaption{font-size:.85rem;margin-top:.3em}
section{margin-bottom:8px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px;min-width:0}
.grid{display:grid;gap:12px;grid-template-columns:repeat(auto-fit,minmax(min(100%,340px),1fr))}
.charts{display:grid;gap:12px;grid-template-columns:repeat(auto-fit,minmax(min(100%,430px),1fr))}
.facts{display:grid;gap:12px;grid-template-columns:repeat(auto-fit,minmax(min(100%,250px),1fr))}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0;font-size:.92rem}
dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
.verdict{font-size:1.05rem;border-left:6px solid var(--swing)}
.verdict.bad{border-left-color:var(--bad)}
.note{border-left:6px solid #e0a800}
figure{margin:0}
svg.chart{width:100%;height:auto;display:block;font-size:11px}
svg .grid{stroke:var(--line);stroke-width:1}
svg .zero{stroke:#999;stroke-width:1}
svg .frame{fill:none;stroke:#bbb}
svg .tick{fill:var(--muted)}
svg .axis-label{fill:var(--ink);font-size:11px}
svg .line{fill:none;stroke-width:1.8;stroke-linejoin:round}
svg .s-push{stroke:var(--push)}svg .s-swing{stroke:var(--swing)}svg .s-total{stroke:var(--total);stroke-width:2.4}
svg .s-lower{stroke:var(--lower)}svg .s-upper{stroke:var(--upper)}
svg .s-c1{stroke:var(--swing)}svg .s-c2{stroke:var(--lower)}svg .s-c3{stroke:#999;stroke-dasharray:4 3}
svg .breakdown{fill:var(--bad);fill-opacity:.16}
svg .band-label{fill:var(--bad);font-weight:600;font-size:10px}
svg .hover{fill:transparent}svg .hover:hover{fill:#000;fill-opacity:.06}
svg .foot-left,svg .bar.foot-left{fill:var(--left)}svg .foot-right,svg .bar.foot-right{fill:var(--right)}
svg .foot-unknown{fill:#bbb}
svg .bar.flight{fill:#9aa3ad}svg .bar.score{fill:var(--swing)}svg .bar.score-bad{fill:var(--bad)}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:.85rem;margin:.2em 0}
.key{display:inline-block;width:18px;height:4px;border-radius:2px;vertical-align:middle;margin-right:5px}
.key.push{background:var(--push)}.key.swing{background:var(--swing)}.key.total{background:var(--total)}
.key.lower{background:var(--lower)}.key.upper{background:var(--upper)}.key.bad{background:var(--bad);opacity:.35;height:10px}
.key.left{background:var(--left);height:8px}.key.right{background:var(--right);height:8px}
.key.c1{background:var(--swing)}.key.c2{background:var(--lower)}.key.c3{background:#999}
.events{display:grid;gap:12px;grid-template-columns:repeat(auto-fill,minmax(min(100%,320px),1fr))}
.event{border-left:6px solid var(--bad)}
.event img{width:100%;height:300px;object-fit:contain;border-radius:6px;display:block;background:#1d1d1f}
details.more>summary{cursor:pointer;margin:10px 0;font-weight:600}
.event .when{font-weight:600}
.pill{display:inline-block;padding:0 8px;border-radius:10px;background:#fde8e8;color:#9b1c1c;font-size:.85rem}
meter{width:110px;vertical-align:middle}
video{width:100%;max-height:72vh;object-fit:contain;background:#000;border-radius:8px;display:block}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
td{overflow-wrap:anywhere}
#left-right td,#left-right th{overflow-wrap:normal;white-space:nowrap}
.scroll{overflow-x:auto}
button.seek{font:inherit;font-size:.85rem;padding:2px 10px;border-radius:6px;border:1px solid #bbb;
background:#fafafa;cursor:pointer}
footer{color:var(--muted);font-size:.8rem;margin:24px 0}
@media (max-width:520px){main{padding:10px}h1{font-size:1.25rem}body{font-size:14px}svg.chart{font-size:13px}}
"""

# Seek the overlay video from a breakdown card. No network, no eval.
_JS = """
document.addEventListener('click',function(e){var b=e.target.closest('button.seek');if(!b)return;
var v=document.getElementById('overlay');if(!v)return;v.currentTime=parseFloat(b.dataset.t)||0;
v.scrollIntoView({behavior:'smooth',block:'center'});v.play().catch(function(){});});
"""


def _csp() -> str:
    style_hash = base64.b64encode(hashlib.sha256(_CSS.encode()).digest()).decode()
    script_hash = base64.b64encode(hashlib.sha256(_JS.encode()).digest()).decode()
    return (
        "default-src 'none'; img-src data:; media-src 'self' file:; "
        f"style-src 'sha256-{style_hash}'; script-src 'sha256-{script_hash}'; "
        "base-uri 'none'; form-action 'none'"
    )


# ---------------------------------------------------------------------------------------------------------------
# formatting helpers


def _fmt(v: Any, spec: str = ".3g", unit: str = "") -> str:
    if v is None or isinstance(v, bool):
        return "—" if v is None else ("yes" if v else "no")
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    if not math.isfinite(f):
        return "—"
    return f"{f:{spec}}{unit}"


def _pct(v: Any) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return "—"
    return f"{100 * f:.0f}%" if math.isfinite(f) else "—"


def _dl(rows: Sequence[tuple[str, str]]) -> str:
    return "<dl>" + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows) + "</dl>"


def _human(key: str) -> str:
    return key.replace("_", " ")


# ---------------------------------------------------------------------------------------------------------------
# still frames


def extract_stills(
    video_path: Path,
    saved: SavedAnalysis,
    frame_indices: Sequence[int],
    max_side: int = STILL_MAX_SIDE,
    info: VideoInfo | None = None,
) -> dict[int, str]:
    """Decode the given frames of the clip, draw the skeleton on them and return base64 JPEGs.

    Parameters
    ----------
    video_path : Path
        The analysed clip.
    saved : SavedAnalysis
        Its saved analysis (landmarks and push side per frame).
    frame_indices : sequence of int
        Frame indices wanted.
    max_side : int
        Longest side of each still, pixels.
    info : VideoInfo or None
        The clip's description (probed when None).

    Returns
    -------
    dict of int to str
        Frame index -> ``data:image/jpeg;base64,...`` URI, for the frames found in the clip.
    """
    import cv2

    from sprintbal.report.overlay import draw_skeleton
    from sprintbal.video import iter_frames_at, probe

    wanted = sorted({int(i) for i in frame_indices if i >= 0})
    if not wanted:
        return {}
    clip = saved.report.get("clip") or {}
    if info is None:
        info = probe(Path(video_path), capture_fps=clip.get("capture_fps"))
    row_of = {int(f): r for r, f in enumerate(saved.landmark_frame)}
    push = saved.frame_words("push_side")
    out: dict[int, str] = {}
    for fr in iter_frames_at(Path(video_path), info, wanted):  # seeks: long clips are not decoded whole
        idx = int(fr.index)
        img = np.ascontiguousarray(fr.image)
        r = row_of.get(idx)
        if r is not None:
            scale = _image_scale(saved, img.shape[1], img.shape[0])
            side = str(push[r]) if r < len(push) else "unknown"
            xy = saved.landmarks_xy[r] * scale
            draw_skeleton(img, xy, side, thickness=max(2, round(max(img.shape[:2]) / 240)))
            img = crop_to_runner(img, xy)
        if max(img.shape[:2]) > max_side:
            f = max_side / max(img.shape[:2])
            img = cv2.resize(img, (max(1, round(img.shape[1] * f)), max(1, round(img.shape[0] * f))),
                             interpolation=cv2.INTER_AREA)
        ok, buf = cv2.imencode(".jpg", cv2.cvtColor(img, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 80])
        if ok:
            out[idx] = "data:image/jpeg;base64," + base64.b64encode(buf.tobytes()).decode("ascii")
    return out


def crop_to_runner(img: np.ndarray, xy: np.ndarray, margin: float = 0.25, min_aspect: float = 0.75) -> np.ndarray:
    """Crop an image to the runner's landmarks plus a margin (the whole image when nobody was found).

    Parameters
    ----------
    img : ndarray, shape (H, W, 3)
        The frame.
    xy : ndarray, shape (33, 2)
        Landmarks in this image's pixels (NaN where unseen).
    margin : float
        Margin on every side as a fraction of the body's bounding-box height.
    min_aspect : float
        The crop is widened to at least this width/height ratio (a runner is tall and thin).

    Returns
    -------
    ndarray
        The crop (a view of ``img``).
    """
    ok = np.isfinite(xy).all(axis=1)
    if ok.sum() < 4:
        return img
    h, w = img.shape[:2]
    x0, y0 = xy[ok].min(axis=0)
    x1, y1 = xy[ok].max(axis=0)
    pad = margin * max(y1 - y0, x1 - x0, 1.0)
    x0, x1, y0, y1 = x0 - pad, x1 + pad, y0 - pad, y1 + pad
    need = min_aspect * (y1 - y0) - (x1 - x0)
    if need > 0:
        x0, x1 = x0 - need / 2, x1 + need / 2
    xa, xb = int(max(0, np.floor(x0))), int(min(w, np.ceil(x1)))
    ya, yb = int(max(0, np.floor(y0))), int(min(h, np.ceil(y1)))
    if xb - xa < 16 or yb - ya < 16:
        return img
    return img[ya:yb, xa:xb]


def _image_scale(saved: SavedAnalysis, width: int, height: int) -> float:
    """Scale from the saved landmark pixels (upright full-size frame) to a decoded image of this size."""
    clip = saved.report.get("clip") or {}
    w0, h0 = clip.get("width"), clip.get("height")
    rot = int(clip.get("rotation_deg") or 0)
    if not w0 or not h0:
        return 1.0
    if rot % 180:
        w0, h0 = h0, w0
    return float(max(width, height)) / float(max(w0, h0))


def event_frame(saved: SavedAnalysis, ev: SavedEvent) -> int:
    """Return the event's worst frame: its saved ``peak_frame``, else the frame nearest its peak time (-1: none)."""
    if ev.peak_frame >= 0 and (saved.n_frames == 0 or ev.peak_frame in set(saved.landmark_frame.tolist())):
        return ev.peak_frame
    if saved.n_frames == 0 or not math.isfinite(ev.peak_s):
        return -1
    r = int(np.argmin(np.abs(saved.landmark_t - ev.peak_s)))
    return int(saved.landmark_frame[r])


# ---------------------------------------------------------------------------------------------------------------
# sections


def _facts(saved: SavedAnalysis) -> str:
    rep = saved.report
    clip = rep.get("clip") or {}
    pose = rep.get("pose") or {}
    kin = rep.get("kinematics")
    cfg = rep.get("config") or {}
    body = cfg.get("body") or {}
    clip_rows = [
        ("file", str(clip.get("name", "?"))),
        ("size", f"{clip.get('width', '?')}×{clip.get('height', '?')} px, {clip.get('codec', '?')}"),
        ("frame rate", _fmt(clip.get("fps"), ".4g", " fps")),
        ("frames", str(clip.get("frame_count", "?"))),
        ("duration", _fmt(clip.get("duration_s"), ".2f", " s")),
    ]
    if clip.get("rotation_deg"):
        clip_rows.append(("rotation", f"{clip['rotation_deg']}° (frames turned upright)"))
    if clip.get("capture_fps"):
        clip_rows.append(("capture rate", _fmt(clip.get("capture_fps"), ".4g", " fps (slow motion)")))
    clip_rows.append(("runner found", f"{_pct(pose.get('detection_rate'))} of frames"))
    clip_rows.append(("pose model", str(pose.get("model", "?"))))
    cards = [f'<div class="card"><h3>Clip</h3>{_dl(clip_rows)}</div>']
    if kin:
        gait = [
            ("running", "yes" if kin.get("is_running") else f"no — {kin.get('running_reason', '')}"),
            ("contacts", str(kin.get("n_contacts", "—"))),
            (
                "cadence",
                _fmt(kin.get("cadence_steps_per_min"), ".0f", "")
                + (f" ± {_fmt(kin.get('cadence_uncertainty_steps_per_min'), '.0f', '')}"
                   if kin.get("cadence_uncertainty_steps_per_min") else "")
                + (" steps/min" if kin.get("cadence_steps_per_min") is not None else ""),
            ),
            ("contact time", _fmt(kin.get("median_contact_s"), ".3f", " s")),
            ("flight time", _fmt(kin.get("median_flight_s"), ".3f", " s")),
            ("step time", _fmt(kin.get("median_step_time_s"), ".3f", " s")),
            ("step length", _fmt(kin.get("median_step_length_m"), ".2f", " m")),
            ("speed", _fmt(kin.get("median_speed_mps"), ".1f", " m/s")),
            ("event timing ±", _fmt(kin.get("timing_uncertainty_s"), ".3f", " s")),
        ]
        cards.append(f'<div class="card"><h3>Gait (medians)</h3>{_dl(gait)}</div>')
        conf = kin.get("axis_confidence") or {}
        trust = [(f"{_human(str(k))} axis", _pct(v)) for k, v in conf.items()]
        trust.append(("landmarks seen (mean)", _pct(kin.get("mean_frame_confidence"))))
        trust.append(
            ("body", f"{_fmt(body.get('height_m'), '.2f', ' m')}, {_fmt(body.get('mass_kg'), '.0f', ' kg')}, "
             f"{body.get('sex', '?')}")
        )
        trust.append(("1 normalised unit", _fmt(kin.get("norm_factor_kgm2s"), ".3g", " kg·m²/s")))
        cards.append(
            f'<div class="card"><h3>Confidence</h3>{_dl(trust)}<p class="muted">How far momentum about each axis '
            "can be "
            "trusted from this camera view (0–100%). A single side view sees pitch well and yaw poorly.</p></div>"
        )
    return '<section id="facts"><div class="facts">' + "".join(cards) + "</div></section>"


def _verdict(saved: SavedAnalysis) -> str:
    rep = saved.report
    parts: list[str] = []
    n = len(saved.events)
    bal = rep.get("balance")
    if not isinstance(bal, dict):
        head, cls = "Balance was not assessed for this clip.", "verdict"
    elif n == 0:
        head, cls = "No balance breakdown was found.", "verdict"
    else:
        head, cls = f"{n} balance breakdown{'s' if n != 1 else ''} found.", "verdict bad"
    parts.append(f'<div class="card {cls}" id="verdict"><h3>{esc(head)}</h3>')
    if isinstance(bal, dict):
        if bal.get("findings"):
            parts.append(f"<p>{esc(bal['findings'])}</p>")
        elif bal.get("status"):
            parts.append(f"<p>{esc(bal['status'])}</p>")
    parts.append("</div>")
    if isinstance(bal, dict) and isinstance(bal.get("scores"), dict):
        sc = bal["scores"]
        rows = [
            ("overall", _fmt(sc.get("overall"), ".0f", " / 100")),
            ("tipping forward/back (mediolateral)", _fmt(sc.get("mediolateral"), ".0f", " / 100")),
            ("twisting (vertical)", _fmt(sc.get("vertical"), ".0f", " / 100")),
            ("left-foot steps", _fmt(sc.get("left_foot"), ".0f", " / 100")),
            ("right-foot steps", _fmt(sc.get("right_foot"), ".0f", " / 100")),
            ("left − right asymmetry", _fmt(sc.get("asymmetry_pct"), "+.0f", " %")),
        ]
        trend = bal.get("trend") or {}
        if trend.get("verdict"):
            rows.append(("as speed rose", str(trend["verdict"])))
        parts.append(
            f'<div class="card" id="scores"><h3>Balance scores</h3>{_dl(rows)}<p class="muted">100 = the opposing '
            "groups cancelled each other's rotation completely.</p></div>"
        )
    kin_notes = ((rep.get("kinematics") or {}).get("info") or {}).get("notes") or []
    for note in [*(rep.get("notes") or []), *dict.fromkeys(kin_notes)]:
        parts.append(f'<div class="card note"><p>{esc(note)}</p></div>')
    return '<section id="summary" class="grid">' + "".join(parts) + "</section>"


def overlay_poster(path: Path, t_s: float, max_side: int = 960) -> str | None:
    """Return a ``data:`` JPEG of the overlay frame nearest ``t_s`` (file time), or None if it cannot be read.

    Parameters
    ----------
    path : Path
        ``overlay.mp4``.
    t_s : float
        Wanted time, seconds from its first frame.
    max_side : int
        Longest side of the poster, pixels.

    Returns
    -------
    str or None
        The data URI.
    """
    import cv2

    from sprintbal.video import frame_times, iter_frames, iter_frames_at, probe

    try:
        info = probe(path)
        best = None
        times = frame_times(path, info)
        if times is not None and times.size:  # the frame wanted, decoded by seeking (long clips)
            k = int(np.searchsorted(times, t_s - 1e-6, side="left"))
            for fr in iter_frames_at(path, info, [min(k, times.size - 1)], max_side):
                best = fr.image
        else:
            for fr in iter_frames(path, info, max_side):
                best = fr.image
                if fr.t_s >= t_s - 1e-6:
                    break
    except SprintbalError:
        return None
    if best is None:
        return None
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(best, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 75])
    return "data:image/jpeg;base64," + base64.b64encode(buf.tobytes()).decode("ascii") if ok else None


def _video(folder: Path, has_overlay: bool, poster: str | None = None) -> str:
    if not has_overlay:
        return (
            '<section id="video"><h2>Annotated video</h2><p class="muted">No annotated video beside this report '
            f"(<code>{esc(OVERLAY_NAME)}</code>); run <code>sprintbal report {esc(folder.name)} --clip CLIP</code> "
            "to make one.</p></section>"
        )
    return (
        '<section id="video"><h2>Annotated video</h2>'
        f'<video id="overlay" controls muted playsinline preload="metadata" src="{esc(OVERLAY_NAME)}"'
        + (f' poster="{poster}"' if poster else "")
        + "></video>"
        '<figcaption>Skeleton coloured by role: <span class="key push"></span>push side (stance leg, arms, trunk, '
        'head), <span class="key swing"></span>swing leg. Bars: live angular momentum per axis. Red border: inside '
        f"a breakdown. The video is the file <code>{esc(OVERLAY_NAME)}</code> beside this page.</figcaption></section>"
    )


_AXIS_WORDS = {"vertical": "twisting, vertical axis", "mediolateral": "tipping forward/back, mediolateral axis"}
_SKIP_DETAILS = {"explanation", "side", "opposed_side", "axis", "confidence", "start_t", "end_t", "peak_t",
                 "start_frame", "end_frame", "peak_frame", "step_index", "step_number", "top_segments"}


def _event_details(ev: SavedEvent) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    if ev.raw.get("changed_parts"):
        rows.append(("what changed", changed_parts_text(ev.raw)))
    parts = ev.raw.get("top_parts")
    if isinstance(parts, list) and parts:
        txt = ", ".join(
            f"{p.get('name', '?')} {_pct(p.get('share'))}" for p in parts[:4] if isinstance(p, dict)
        )
        rows.append(("share of the change", txt))
    for key, v in ev.raw.items():
        if key in _SKIP_DETAILS or key in ("top_parts", "changed_parts"):
            continue
        if isinstance(v, (int, float, str, bool)) or v is None:
            rows.append((_human(str(key)), v if isinstance(v, str) else _fmt(v)))
    return rows


def _uncertain(saved: SavedAnalysis) -> str:
    evs = saved.uncertain_events
    if not evs:
        return ""
    rows = "".join(
        f"<tr><td>{esc(_fmt(e.start_s, '.2f'))}–{esc(_fmt(e.end_s, '.2f'))} s</td>"
        f"<td>{esc(_AXIS_WORDS.get(e.axis, e.axis))}</td>"
        f"<td>{esc(e.side or '?')} overwhelmed {esc(e.opposed_side or '?')}</td><td>{esc(_pct(e.confidence))}</td></tr>"
        for e in evs
    )
    return (
        f'<details class="more" id="uncertain"><summary>{len(evs)} possible breakdown{"s" if len(evs) != 1 else ""} '
        "too uncertain to report</summary><div class=\"card scroll\"><table><tr><th>time</th><th>axis</th>"
        f"<th>what</th><th>confidence</th></tr>{rows}</table></div></details>"
    )


def _event_cards(saved: SavedAnalysis, stills: dict[int, str], has_overlay: bool, why_no_stills: str) -> str:
    if not saved.events:
        return (
            f'<section id="breakdowns"><h2>Breakdowns</h2><p class="muted">None reported.</p>{_uncertain(saved)}'
            "</section>"
            if saved.uncertain_events
            else ""
        )
    cards: list[str] = []
    for k, ev in enumerate(saved.events, start=1):
        fr = event_frame(saved, ev)
        img = stills.get(fr)
        alt = f"frame {fr} at {ev.peak_s:.2f} s with the skeleton drawn"
        why = why_no_stills if k <= MAX_STILLS else f"stills are kept for the first {MAX_STILLS} breakdowns only"
        pic = f'<img src="{img}" alt="{esc(alt)}">' if img else f'<p class="muted">No still: {esc(why)}.</p>'
        conf = ev.confidence
        conf_html = (
            f'<meter min="0" max="1" value="{conf:.3f}" title="{esc(_pct(conf))}"></meter> {esc(_pct(conf))}'
            if math.isfinite(conf)
            else "—"
        )
        who = f"{ev.side or '?'} overwhelmed {ev.opposed_side or 'the other side'}"
        where = [f"{_fmt(ev.start_s, '.2f')}–{_fmt(ev.end_s, '.2f')} s"]
        if ev.step_number > 0:
            foot = ev.raw.get("step_foot") or ""
            where.append(f"step {ev.step_number}" + (f" ({foot} foot)" if foot else ""))
        where.append(f"worst at {_fmt(ev.peak_s, '.2f')} s, frame {fr}")
        seek = (
            f' <button class="seek" type="button" data-t="{ev.start_s:.3f}">play in video</button>'
            if has_overlay and math.isfinite(ev.start_s)
            else ""
        )
        details = _event_details(ev)
        cards.append(
            f'<article class="card event" id="breakdown-{k}">{pic}'
            f"<h3>Breakdown {k}: {esc(_AXIS_WORDS.get(ev.axis, ev.axis or 'axis unknown'))}</h3>"
            f'<p><span class="pill">{esc(who)}</span></p>'
            f'<p class="when">{esc(" · ".join(where))}{seek}</p>'
            f"<p>{esc(ev.explanation or 'No explanation was saved.')}</p>"
            f'<p class="muted">confidence {conf_html}</p>'
            + (f"<details><summary>details</summary>{_dl(details)}</details>" if details else "")
            + "</article>"
        )
    shown, rest = cards[:CARDS_OPEN], cards[CARDS_OPEN:]
    more = (
        f'<details class="more"><summary>Show the other {len(rest)} breakdowns</summary>'
        f'<div class="events">{"".join(rest)}</div></details>'
        if rest
        else ""
    )
    return (
        '<section id="breakdowns"><h2>Breakdowns</h2><div class="events">'
        + "".join(shown)
        + f"</div>{more}{_uncertain(saved)}</section>"
    )


def _bands(saved: SavedAnalysis, axis: str | None = None) -> list[Band]:
    out = []
    for k, ev in enumerate(saved.events, start=1):
        if not (math.isfinite(ev.start_s) and math.isfinite(ev.end_s)):
            continue
        faded = axis is not None and ev.axis and ev.axis != axis
        out.append(
            Band(
                ev.start_s,
                ev.end_s,
                "breakdown",
                label=f"B{k}",
                title=f"breakdown {k}: {ev.side} overwhelmed {ev.opposed_side}"
                + (f" ({ev.axis} axis)" if ev.axis else "")
                + (" — flagged on the other axis" if faded else ""),
            )
        )
    return out


def _foot_strip(saved: SavedAnalysis) -> Strip:
    t = saved.frame_series("time_s")
    phase = saved.frame_words("phase")
    css = {"left_contact": "foot-left", "right_contact": "foot-right", "double_contact": "foot-unknown"}
    spans = [(a, b, css[w]) for a, b, w in runs(t, [str(p) for p in phase]) if w in css]
    return Strip(spans)


_LEGEND_FEET = (
    '<span><span class="key left"></span>left foot on the ground</span>'
    '<span><span class="key right"></span>right foot on the ground</span>'
    '<span><span class="key bad"></span>breakdown</span>'
)


def _momentum_plots(saved: SavedAnalysis) -> str:
    t = saved.frame_series("time_s")
    have = [
        bool(np.isfinite(saved.frame_series(f"H_{g}_{axis}_norm")).any())
        for g in ("push", "swing", "lower", "upper", "total")
        for axis, _ in AXES
    ]
    if not any(have):
        return (
            '<section id="momentum"><h2>Angular momentum over time</h2><div class="card note"><p>No angular '
            "momentum could be computed for this clip (too little of the body was seen well enough, or no scale), "
            "so there is nothing to plot.</p></div></section>"
        )
    nf = float((saved.report.get("kinematics") or {}).get("norm_factor_kgm2s") or math.nan)
    unit = "kg·m²/s"
    strip = _foot_strip(saved)
    figs: list[str] = []
    for axis, label in AXES:
        series = [
            Series("push side", saved.frame_series(f"H_push_{axis}_norm"), "s-push", nf, unit),
            Series("swing leg", saved.frame_series(f"H_swing_{axis}_norm"), "s-swing", nf, unit),
            Series("net (whole body)", saved.frame_series(f"H_total_{axis}_norm"), "s-total", nf, unit),
        ]
        svg = line_chart(
            t,
            series,
            title=f"Angular momentum about the {label}: push side, swing leg and net",
            y_label="H / (M·h·√(g·h))",
            bands=_bands(saved, axis),
            strip=strip,
            chart_id=f"chart-momentum-{axis}",
        )
        figs.append(
            f'<figure class="card"><h3>About the {esc(label)}</h3>'
            '<div class="legend"><span><span class="key push"></span>push side</span>'
            '<span><span class="key swing"></span>swing leg</span><span><span class="key total"></span>net</span></div>'
            f"{svg}<figcaption>Normalised by M·h·√(g·h) = {esc(_fmt(nf, '.3g'))} {unit}; hover for values in "
            f"{unit}. Net = push + swing.</figcaption></figure>"
        )
    series = [
        Series("lower body (both legs)", saved.frame_series("H_lower_vertical_norm"), "s-lower", nf, unit),
        Series("upper body (arms, trunk, head)", saved.frame_series("H_upper_vertical_norm"), "s-upper", nf, unit),
        Series("net (whole body)", saved.frame_series("H_total_vertical_norm"), "s-total", nf, unit),
    ]
    svg = line_chart(
        t,
        series,
        title="Lower against upper body about the vertical axis",
        y_label="H / (M·h·√(g·h))",
        bands=_bands(saved, "vertical"),
        strip=strip,
        chart_id="chart-lower-upper",
    )
    figs.append(
        '<figure class="card"><h3>Lower vs upper body, vertical axis</h3>'
        '<div class="legend"><span><span class="key lower"></span>legs</span>'
        '<span><span class="key upper"></span>arms + trunk + head</span><span><span class="key total"></span>net</span>'
        f"</div>{svg}<figcaption>About the vertical axis the legs turn one way and the arms and upper trunk the "
        "other: this is the split that should cancel.</figcaption></figure>"
    )
    figs.append(_cancellation_plot(saved, t, strip))
    return (
        '<section id="momentum"><h2>Angular momentum over time</h2>'
        f'<div class="legend">{_LEGEND_FEET}</div><div class="charts">' + "".join(figs) + "</div></section>"
    )


def cancellation(a: np.ndarray, b: np.ndarray, window: int = 1, min_fraction: float = 0.1) -> np.ndarray:
    """Return the cancellation of two opposing groups, ``C = 1 - sum_W |A + B| / sum_W (|A| + |B|)``, in [0, 1].

    With ``window == 1`` this is the per-frame ``1 - |A + B| / (|A| + |B|)``; over a centred window of
    ``window`` frames it is the magnitude-weighted mean of the per-frame values (the form the balance
    stage judges), so nearly-empty frames count for little. Frames whose windowed ``|A| + |B|`` is below
    ``min_fraction`` of its 90th percentile are NaN: with both groups tiny (e.g. in flight) C says nothing.

    Parameters
    ----------
    a, b : ndarray, shape (T,)
        Angular momentum of the two groups about one axis (any consistent unit); NaN where unknown.
    window : int
        Window length in frames (odd; 1 = per frame).
    min_fraction : float
        Magnitude threshold as a fraction of the clip's 90th percentile of the windowed ``|A| + |B|``.

    Returns
    -------
    ndarray, shape (T,)
        Cancellation, NaN where undefined.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    ok = np.isfinite(a) & np.isfinite(b)
    num = np.where(ok, np.abs(a + b), 0.0)
    den = np.where(ok, np.abs(a) + np.abs(b), 0.0)
    if window > 1:
        kernel = np.ones(int(window))
        half, n = int(window) // 2, a.shape[0]  # "full" then slice: "same" gives max(T, window) samples

        def same(x: np.ndarray) -> np.ndarray:
            return np.convolve(x, kernel, mode="full")[half : half + n]

        num = same(num)
        den = same(den)
        ok = same(ok.astype(float)) > 0
    out = np.full(a.shape, np.nan)
    valid = ok & (den > 0)
    if not valid.any():
        return out
    floor = min_fraction * float(np.percentile(den[valid], 90))
    keep = valid & (den > floor)
    out[keep] = 1.0 - num[keep] / den[keep]
    return out


#: Shortest window, seconds, of the cancellation plot (the balance stage's own window if longer).
CANCELLATION_PLOT_WINDOW_S = 0.1


def _cancellation_plot(saved: SavedAnalysis, t: np.ndarray, strip: Strip) -> str:
    s = saved.frame_series
    cfg_bal = (saved.report.get("config") or {}).get("balance") or {}
    win_s = max(float(cfg_bal.get("smooth_window_s") or 0.0), CANCELLATION_PLOT_WINDOW_S)
    tt = t[np.isfinite(t)]
    dt = float(np.median(np.diff(tt))) if tt.size > 1 else 1 / 30
    width = max(1, round(win_s / dt))
    width += 1 - width % 2  # odd, centred
    series = [
        Series(
            "mediolateral: push vs swing",
            cancellation(s("H_push_mediolateral_norm"), s("H_swing_mediolateral_norm"), width),
            "s-c1",
        ),
        Series(
            "vertical: legs vs upper body",
            cancellation(s("H_lower_vertical_norm"), s("H_upper_vertical_norm"), width),
            "s-c2",
        ),
    ]
    svg = line_chart(
        t,
        series,
        title="Cancellation over time",
        y_label="cancellation C (0–1)",
        bands=_bands(saved),
        strip=strip,
        y_range=(0.0, 1.0),
        chart_id="chart-cancellation",
    )
    return (
        '<figure class="card"><h3>Cancellation</h3><div class="legend">'
        '<span><span class="key c1"></span>mediolateral: push side vs swing leg</span>'
        '<span><span class="key c2"></span>vertical: legs vs upper body</span></div>'
        f"{svg}<figcaption>C = 1 − Σ|A + B| / Σ(|A| + |B|) over {width} frame{'s' if width != 1 else ''} "
        f"({width * dt:.2f} s): 1 when the two opposing groups cancel exactly, 0 when one is not offset at all. "
        "Gaps: both groups too small for C to mean anything (e.g. in flight).</figcaption></figure>"
    )


def _step_scores(saved: SavedAnalysis, n: int) -> np.ndarray | None:
    """Per-step balance scores from the saved balance assessment, if it has them (length n)."""
    bal = saved.report.get("balance")
    if not isinstance(bal, dict):
        return None
    for key in ("step_scores", "steps", "per_step"):
        val = bal.get(key)
        if not isinstance(val, list) or not val:
            continue
        scores: list[float] = []
        for item in val:
            if isinstance(item, dict):
                v = next((item[k] for k in ("score", "balance_score", "cancellation") if k in item), None)
            else:
                v = item
            try:
                scores.append(float(v) if v is not None else math.nan)
            except (TypeError, ValueError):
                scores.append(math.nan)
        arr = np.full(n, np.nan)
        arr[: min(n, len(scores))] = scores[:n]
        return arr
    return None


_FOOT_CSS = {"left": "foot-left", "right": "foot-right"}
_FOOT_LEGEND = (("foot-left", "left"), ("foot-right", "right"))


def _step_bar_card(heading: str, labels: list[str], foot: list[str], values: np.ndarray,
                   describe: Callable[[Any], str], **chart: Any) -> str:
    """Return a card with a per-step bar chart, bars coloured by foot.

    Parameters
    ----------
    heading : str
        Card heading.
    labels, foot : list of str
        Step number and foot ("left", "right" or other) per step.
    values : ndarray, shape (n,)
        Bar heights.
    describe : callable
        Tooltip text after ``step N (foot):`` for a value.
    **chart
        Keyword arguments of :func:`~sprintbal.report.svg.bar_chart` (title, y_label, chart_id...).
    """
    bars = [
        Bar(labels[i], float(values[i]), _FOOT_CSS.get(foot[i], "foot-unknown"),
            f"step {labels[i]} ({foot[i]} foot): {describe(values[i])}")
        for i in range(len(foot))
    ]
    return f'<figure class="card"><h3>{heading}</h3>{bar_chart(bars, legend=_FOOT_LEGEND, **chart)}</figure>'


def _median_cell(values: np.ndarray, spec: str) -> str:
    """Return a table cell with the median of the finite values ("—" when there are none)."""
    v = values[np.isfinite(values)]
    return f"<td>{esc(_fmt(np.median(v), spec) if v.size else '—')}</td>"


def _left_right_table(st: dict[str, np.ndarray], foot: list[str], scores: np.ndarray | None) -> str:
    """Return the card with left- and right-foot medians of the step measures (and balance scores)."""
    n = len(foot)
    cols = [("contact_s", "contact (ms)", 1000.0), ("flight_s", "flight (ms)", 1000.0),
            ("step_time_s", "step time (ms)", 1000.0),
            ("step_length_m", "step length (m)", 1.0), ("speed_mps", "speed (m/s)", 1.0)]
    head = "<tr><th>foot</th><th>steps</th>" + "".join(f"<th>{esc(c[1])}</th>" for c in cols)
    if scores is not None:
        head += "<th>balance score</th>"
    head += "</tr>"
    rows = []
    for side in ("left", "right"):
        mask = np.array([f == side for f in foot])
        cells = [f"<td>{side}</td><td>{int(mask.sum())}</td>"]
        for key, _, mul in cols:
            cells.append(_median_cell(st.get(key, np.full(n, np.nan))[mask] * mul, ".3g"))
        if scores is not None:
            cells.append(_median_cell(scores[mask], ".0f"))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<div class="card scroll"><h3>Left vs right (medians)</h3>'
        f'<table id="left-right">{head}{"".join(rows)}</table></div>'
    )


def _steps_section(saved: SavedAnalysis) -> str:
    st = saved.steps
    if not st or "foot" not in st or len(st["foot"]) == 0:
        return (
            '<section id="steps"><h2>Steps</h2><p class="muted">No ground contacts were found, so there are no '
            "per-step figures.</p></section>"
        )
    foot = [str(f) for f in st["foot"]]
    n = len(foot)
    numbers = st.get("step", np.arange(1, n + 1))
    labels = [str(int(v)) if math.isfinite(v) else str(i + 1) for i, v in enumerate(numbers)]
    contact = st.get("contact_s", np.full(n, np.nan))
    flight = st.get("flight_s", np.full(n, np.nan))
    figs = [
        _step_bar_card("Contact time", labels, foot, contact * 1000, lambda v: f"contact {_fmt(v, '.0f')} ms",
                       title="Contact time per step", y_label="ms", chart_id="chart-contact"),
        _step_bar_card("Flight time", labels, foot, flight * 1000,
                       lambda v: f"flight after it {_fmt(v, '.0f')} ms",
                       title="Flight time after each step", y_label="ms", chart_id="chart-flight"),
    ]
    scores = _step_scores(saved, n)
    if scores is not None:
        figs.append(
            _step_bar_card("Balance score", labels, foot, scores, lambda v: f"balance score {_fmt(v, '.0f')} / 100",
                           title="Balance score per step", y_label="score (0–100)", chart_id="chart-score",
                           y_range=(0.0, 100.0))
        )
    table = _left_right_table(st, foot, scores)
    return '<section id="steps"><h2>Steps</h2><div class="charts">' + "".join(figs) + table + "</div></section>"


def _conventions(saved: SavedAnalysis) -> str:
    conv = dict(saved.report.get("conventions") or {})
    bal = saved.report.get("balance")
    if isinstance(bal, dict) and isinstance(bal.get("conventions"), dict):
        conv["balance"] = bal["conventions"]
    rows: list[tuple[str, str]] = []
    for k, v in conv.items():
        if isinstance(v, dict):
            rows += [(f"{_human(str(k))}: {kk}", str(vv)) for kk, vv in v.items()]
        else:
            rows.append((_human(str(k)), str(v)))
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return (
        '<section id="conventions"><h2>Units, signs and confidence</h2><div class="card scroll">'
        f"<table>{body}</table><p class=\"muted\">Momentum plots are dimensionless (normalised); hover a plot for "
        "kg·m²/s. Confidence figures are in [0, 1]: per axis, how far this camera view supports momentum about it; "
        "per breakdown, how sure the balance stage is of it.</p></div></section>"
    )


def build_html(saved: SavedAnalysis, stills: dict[int, str] | None = None, *, has_overlay: bool = False,
               why_no_stills: str = "the clip was not available", poster: str | None = None) -> str:
    """Assemble the report page.

    Parameters
    ----------
    saved : SavedAnalysis
        The saved analysis.
    stills : dict of int to str or None
        Frame index -> ``data:`` JPEG URI for the breakdown cards.
    has_overlay : bool
        Whether ``overlay.mp4`` sits beside the page.
    why_no_stills : str
        Shown on a card without a still.
    poster : str or None
        ``data:`` image shown on the video before it plays.

    Returns
    -------
    str
        The complete HTML document.
    """
    rep = saved.report
    clip_name = str((rep.get("clip") or {}).get("name", saved.folder.name))
    body = [
        "<header>",
        f"<h1>Rotational balance — {esc(clip_name)}</h1>",
        f'<p class="sub">sprintbal {esc(rep.get("sprintbal_version", "?"))} · report schema '
        f'{esc(rep.get("schema_version", "?"))} · analysed {esc(rep.get("generated_utc", "?"))}</p>',
        "</header>",
        _verdict(saved),
        _facts(saved),
        _video(saved.folder, has_overlay, poster),
    ]
    if saved.has_kinematics:
        body.append(_momentum_plots(saved))
    else:
        body.append(
            '<section id="momentum"><h2>Angular momentum</h2><p class="muted">No kinematics were saved for this clip '
            "(pose only, or nobody found), so there is nothing to plot.</p></section>"
        )
    body.append(_event_cards(saved, stills or {}, has_overlay, why_no_stills))
    if saved.has_kinematics:
        body.append(_steps_section(saved))
    body.append(_conventions(saved))
    body.append(
        f"<footer>Made by sprintbal {esc(rep.get('sprintbal_version', '?'))} from the files in this folder "
        "(report.json, frames.csv, steps.csv, landmarks.csv). Self-contained: this page loads nothing from the "
        "network.</footer>"
    )
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(_csp())}">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>sprintbal — {esc(clip_name)}</title><style>{_CSS}</style></head>"
        f"<body><main>{''.join(body)}</main><script>{_JS}</script></body></html>\n"
    )


def _breakdown_stills(
    saved: SavedAnalysis, video_path: Path | None, info: VideoInfo | None = None
) -> tuple[dict[int, str], str]:
    """Return the breakdown stills (frame -> data URI) and why a card may lack one.

    An unreadable clip costs the stills, not the page: its one-line error becomes the reason.
    """
    stills: dict[int, str] = {}
    why = "no clip was given"
    if video_path is not None and saved.events:
        if Path(video_path).is_file():
            frames = [event_frame(saved, e) for e in saved.events[:MAX_STILLS]]
            try:
                stills = extract_stills(Path(video_path), saved, frames, info=info)
                why = "the frame could not be decoded from the clip"
            except SprintbalError as exc:  # an unreadable clip costs the stills, not the page
                why = exc.message
        else:
            why = "the clip was not found"
    return stills, why


def _poster(saved: SavedAnalysis, overlay: Path) -> str | None:
    """Return the overlay's poster: the first breakdown's worst moment (else the middle of the clip).

    The capture time is turned into the overlay's file time (divided by the clip's time scale).
    """
    clip = saved.report.get("clip") or {}
    scale = float(clip.get("time_scale") or 1.0) or 1.0
    if saved.events:
        t_cap = saved.events[0].peak_s
    elif saved.n_frames:
        t_cap = float(np.nanmedian(saved.landmark_t))
    else:
        t_cap = 0.0
    return overlay_poster(overlay, (t_cap if math.isfinite(t_cap) else 0.0) / scale)


def write_html_report(
    folder: Path, video_path: Path | None = None, *, saved: SavedAnalysis | None = None, info: VideoInfo | None = None
) -> Path:
    """Write ``report.html`` (atomically) into a clip's output folder, from the files saved there.

    Parameters
    ----------
    folder : Path
        The clip's output folder (``report.json`` and the CSV tables).
    video_path : Path or None
        The analysed clip, for the breakdown stills; None: cards without stills.
    saved : SavedAnalysis or None
        Already-loaded folder contents (loaded from ``folder`` when None).
    info : VideoInfo or None
        ``video_path``'s description from :func:`sprintbal.video.probe` (probed when None).

    Returns
    -------
    Path
        Path of ``report.html``.

    Raises
    ------
    BadInputError
        If ``folder`` is not a sprintbal output folder.
    """
    folder = Path(folder)
    saved = saved or load_saved(folder)
    stills, why = _breakdown_stills(saved, video_path, info)
    has_overlay = (folder / OVERLAY_NAME).is_file()
    poster = _poster(saved, folder / OVERLAY_NAME) if has_overlay else None
    html_text = build_html(saved, stills, has_overlay=has_overlay, why_no_stills=why, poster=poster)
    target = folder / HTML_NAME
    write_text_atomic(target, html_text)
    return target
