"""Terminal balance report with rich tables, rendered from report.json's ``balance`` section."""

from __future__ import annotations

from typing import Any


def _pct(v: Any) -> str:
    return "—" if v is None else f"{v:.0f}"


def _s(v: Any, fmt: str = ".2f") -> str:
    return "—" if v is None else f"{v:{fmt}}"


def changed_parts_text(ev: dict[str, Any]) -> str:
    """Return what changed in a breakdown as the explanation names it: "left arm 69%, left leg 80% of usual".

    From ``changed_parts`` (momentum relative to usual); events saved before that field, or without a
    normal pattern, fall back to the names in ``top_parts`` (largest share of the change first).
    """
    changed = [p for p in ev.get("changed_parts") or [] if isinstance(p, dict) and p.get("name")]
    if changed:
        bits = [
            f"{p['name']} {100 * r:.0f}%" if isinstance(r := p.get("usual_ratio"), (int, float)) else str(p["name"])
            for p in changed
        ]
        return ", ".join(bits) + (" of usual" if any("%" in b for b in bits) else "")
    return ", ".join(str(p.get("name", "?")) for p in (ev.get("top_parts") or ev.get("top_segments") or [])[:3])


def render_balance(bal: dict[str, Any], console: Any, max_steps: int = 30) -> None:
    """Print scores, the per-step table, the breakdown events and the findings paragraph.

    Parameters
    ----------
    bal : dict
        The ``balance`` section of report.json.
    console : rich.console.Console
        Where to print.
    max_steps : int
        Most steps listed in the table (the rest are summarised in one row).
    """
    from rich.table import Table
    from rich.text import Text

    if not bal.get("assessed"):
        console.print(Text(bal.get("status", "Balance was not assessed."), style="yellow"))
        return
    scores = bal.get("scores", {})
    axes = bal.get("axes", {})
    head = Table(
        title="Rotational balance (score 0-100: how fully the opposing groups offset each other)", title_justify="left"
    )
    head.add_column("axis")
    head.add_column("opposing groups")
    head.add_column("score", justify="right")
    head.add_column("confidence", justify="right")
    head.add_column("events", justify="right")
    for name in ("mediolateral", "vertical"):
        ax = axes.get(name)
        if ax is None:
            continue
        label = "side-to-side (pitch)" if name == "mediolateral" else "vertical (twist)"
        head.add_row(
            label,
            " vs ".join(ax.get("side_labels", [])),
            _pct(scores.get(name)),
            _s(ax.get("axis_confidence")),
            str(ax.get("n_events", 0)),
        )
    head.add_row("overall", "", _pct(scores.get("overall")), "", str(len(bal.get("events", []))), style="bold")
    console.print(head)

    steps = bal.get("steps", [])
    if steps:
        table = Table(title="Steps", title_justify="left")
        for col in ("step", "foot", "start s", "end s", "speed m/s", "score", "pitch", "twist", "events"):
            table.add_column(col, justify="left" if col == "foot" else "right")
        for st in steps[:max_steps]:
            table.add_row(
                str(st["step"]),
                st.get("foot", "—"),
                _s(st.get("start_s")),
                _s(st.get("end_s")),
                _s(st.get("speed_mps"), ".1f"),
                _pct(st.get("score")),
                _pct(st.get("score_mediolateral")),
                _pct(st.get("score_vertical")),
                str(st.get("n_events", 0)),
                style="red" if st.get("n_events") else None,
            )
        if len(steps) > max_steps:
            table.add_row("…", f"{len(steps) - max_steps} more in report.json", *[""] * 7)
        console.print(table)
        console.print(
            f"left-foot steps {_pct(scores.get('left_foot'))}, right-foot steps {_pct(scores.get('right_foot'))} "
            f"(asymmetry {_s(scores.get('asymmetry_pct'), '+.0f')}%)"
        )

    events = bal.get("events", [])
    if events:
        table = Table(title="Balance breakdowns", title_justify="left")
        for col in ("when (s)", "step", "axis", "overwhelmed", "what changed", "confidence"):
            table.add_column(col)
        for ev in events:
            parts = changed_parts_text(ev)
            table.add_row(
                f"{_s(ev['start_t'])}–{_s(ev['end_t'])}",
                str(ev.get("step_number") or "—"),
                "side-to-side" if ev["axis"] == "mediolateral" else "vertical",
                ev.get("side", ""),
                parts,
                _s(ev.get("confidence")),
            )
        console.print(table)
    else:
        console.print(Text("No balance breakdowns found.", style="green"))
    findings = bal.get("findings")
    if findings:
        console.print(Text(findings if isinstance(findings, str) else " ".join(findings)))
