"""Terminal summary with rich, rendered from the report dictionary (so saved results re-render)."""

from __future__ import annotations

from typing import Any

from rich.markup import escape


def _num(v: Any, fmt: str = ".2f", unit: str = "") -> str:
    if v is None:
        return "—"
    return f"{v:{fmt}}{unit}"


def render_summary(report: dict[str, Any], console: Any, out_dir: str | None = None) -> None:
    """Print a short summary of one analysis.

    Parameters
    ----------
    report : dict
        The report dictionary (as written to ``report.json``).
    console : rich.console.Console
        Where to print.
    out_dir : str or None
        The clip's output folder, to tell the user where the files are.
    """
    from rich.panel import Panel
    from rich.table import Table

    clip = report["clip"]
    pose = report["pose"]
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    facts.add_row(
        "clip",
        f"{clip['name']}  ({clip['width']}x{clip['height']}, {clip['codec']}, "
        f"{_num(clip['fps'], '.3g')} fps, {clip['frame_count']} frames, {_num(clip['duration_s'])} s)",
    )
    if clip.get("rotation_deg"):
        facts.add_row("rotation", f"{clip['rotation_deg']} degrees (frames turned upright)")
    if clip.get("capture_fps"):
        facts.add_row("capture", f"{_num(clip['capture_fps'], '.4g')} fps (slow-motion time scale)")
    rate = pose["detection_rate"]
    style = "green" if rate >= 0.9 else ("yellow" if rate >= 0.5 else "red")
    facts.add_row(
        "pose",
        f"[{style}]{100 * rate:.1f}%[/] of frames with a runner  ·  {pose['model']}"
        + ("  ·  from cache" if pose["from_cache"] else ""),
    )
    kin = report.get("kinematics")
    if kin is not None:
        if kin["is_running"]:
            facts.add_row(
                "gait",
                f"{kin['n_contacts']} contacts · cadence {_num(kin['cadence_steps_per_min'], '.0f')}"
                + (f" ± {_num(u, '.0f')}" if (u := kin.get("cadence_uncertainty_steps_per_min")) else "")
                + " steps/min · "
                f"contact {_num(kin['median_contact_s'], '.3f', ' s')} · "
                f"flight {_num(kin['median_flight_s'], '.3f', ' s')}"
                + (f" · speed {_num(kin['median_speed_mps'], '.1f', ' m/s')}" if kin.get("median_speed_mps") else "")
            )
        else:
            facts.add_row("gait", f"[yellow]no running found[/]: {kin['running_reason']}")
    kin_notes = ((kin or {}).get("info") or {}).get("notes") or []
    for note in [*report.get("notes", []), *dict.fromkeys(kin_notes)]:
        facts.add_row("note", f"[yellow]{escape(note)}[/]")
    if out_dir:
        facts.add_row("files", out_dir)
    console.print(Panel(facts, title="sprintbal", title_align="left", expand=False))
    bal = report.get("balance")
    if bal is not None:
        from sprintbal.report.balance_console import render_balance

        render_balance(bal, console)
