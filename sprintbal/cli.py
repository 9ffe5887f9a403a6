"""The ``sprintbal`` command line: thin typer commands over :mod:`sprintbal.pipeline`.

Only typer is imported at module level, so ``sprintbal --help`` is instant.
Every :class:`~sprintbal.errors.SprintbalError` becomes one line on stderr and
a non-zero exit code, in one place (:func:`_user_errors`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.exceptions import TyperException

from sprintbal import __version__

app = typer.Typer(
    name="sprintbal",
    help="Rotational balance of sprinters from ordinary video.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

#: Exit code of an unexpected exception (a bug), as EX_SOFTWARE in sysexits.h.
INTERNAL_ERROR_EXIT = 70

# ---- options declared once, reused by every command -------------------------------------------
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Output folder; each clip's files go to OUT/<clip-stem>/.")]
ModelOpt = Annotated[
    Path | None,
    typer.Option("--model", help="MediaPipe Tasks PoseLandmarker .task file (default: bundled BlazePose full)."),
]
CaptureFpsOpt = Annotated[
    float | None,
    typer.Option(
        "--capture-fps", help="Real capture rate of a slow-motion export (e.g. 240 for a 240 fps clip saved at 30 fps)."
    ),
]
HeightOpt = Annotated[float | None, typer.Option("--height", help="Runner's height in metres [default: 1.75].")]
MassOpt = Annotated[float | None, typer.Option("--mass", help="Runner's mass in kg [default: 70].")]
SexOpt = Annotated[str | None, typer.Option("--sex", help="de Leva segment table: male or female [default: male].")]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="TOML file with [pose] [cleaning] [body] [kinematics] [balance] tables."),
]
CutoffOpt = Annotated[
    float | None,
    typer.Option("--cutoff-hz", help="Low-pass cut-off in Hz of capture time [default: chosen from the data]."),
]
DepthOpt = Annotated[
    str | None,
    typer.Option("--depth", help="Sideways offsets for vertical-axis momentum: prior or world [default: prior]."),
]
NoCacheOpt = Annotated[
    bool, typer.Option("--no-cache", help="Always run pose inference; do not read or write the pose cache.")
]
CacheDirOpt = Annotated[
    Path | None,
    typer.Option("--cache-dir", help="Pose cache folder [default: $SPRINTBAL_CACHE_DIR or ~/.cache/sprintbal/pose]."),
]
OverlayOpt = Annotated[
    bool,
    typer.Option("--overlay/--no-overlay", help="Write overlay.mp4: the clip with skeleton, gauges and breakdowns."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout (for scripts).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"sprintbal {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version_callback, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Rotational balance of sprinters from ordinary video."""


@contextlib.contextmanager
def _user_errors() -> Iterator[None]:
    """Turn user-facing errors into one line on stderr and an exit code (the only place that does)."""
    from sprintbal.errors import SprintbalError

    try:
        yield
    except SprintbalError as exc:
        typer.echo(f"sprintbal: error: {exc.message}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        typer.echo(
            "sprintbal: interrupted; files already written are complete, nothing was left half-written", err=True
        )
        raise typer.Exit(130) from None
    except (typer.Exit, typer.Abort, TyperException):  # typer's own exits and usage errors
        raise
    except Exception as exc:  # a bug: still one line for users, the traceback on request
        if os.environ.get("SPRINTBAL_DEBUG"):
            raise
        text = " ".join(str(exc).split())
        typer.echo(
            f"sprintbal: internal error: {exc.__class__.__name__}: {text} "
            "(please report; rerun with SPRINTBAL_DEBUG=1 for the traceback)",
            err=True,
        )
        raise typer.Exit(INTERNAL_ERROR_EXIT) from None


def _stderr_console(quiet: bool) -> Any:
    from rich.console import Console

    return Console(stderr=True, quiet=quiet)


def _stdout_console() -> Any:
    from rich.console import Console

    return Console()


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator[Any]:
    """Yield an ``on_progress(stage, done, total)`` hook drawing a rich bar with frames/s on stderr."""
    console = _stderr_console(False) if enabled else None
    if console is None or not console.is_terminal:  # no bar (nor its blank line) in logs and pipes
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[fps]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def hook(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total or None, fps="")
            task_id = tasks[stage]
            speed = bar.tasks[task_id].speed
            bar.update(task_id, completed=done, fps=f"{speed:6.1f} frames/s" if speed else "")

        yield hook


def _resolve(
    config: Path | None,
    model: Path | None,
    capture_fps: float | None,
    height: float | None,
    mass: float | None,
    sex: str | None,
    cutoff_hz: float | None,
    depth: str | None,
) -> Any:
    from sprintbal.config import resolve_config

    return resolve_config(
        config,
        {
            "pose": {"model_path": model, "capture_fps": capture_fps},
            "body": {"height_m": height, "mass_kg": mass, "sex": sex},
            "cleaning": {"cutoff_hz": cutoff_hz},
            "kinematics": {"depth_method": depth},
        },
    )


@app.command()
def analyze(
    clip: Annotated[Path, typer.Argument(help="Video file (mp4, mov, avi, mkv, webm...).")],
    out: OutOpt = Path("sprintbal_out"),
    model: ModelOpt = None,
    capture_fps: CaptureFpsOpt = None,
    height: HeightOpt = None,
    mass: MassOpt = None,
    sex: SexOpt = None,
    config: ConfigOpt = None,
    cutoff_hz: CutoffOpt = None,
    depth: DepthOpt = None,
    no_cache: NoCacheOpt = False,
    cache_dir: CacheDirOpt = None,
    pose_only: Annotated[
        bool, typer.Option("--pose-only", help="Stop after pose: landmarks, TRC and report only.")
    ] = False,
    fail_on_breakdown: Annotated[
        bool, typer.Option("--fail-on-breakdown", help="Exit with code 10 when a balance breakdown is found.")
    ] = False,
    overlay: OverlayOpt = True,
    json_out: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Analyse one sprint clip: landmarks, kinematics, rotational balance; files in OUT/<clip-stem>/."""
    with _user_errors():
        from sprintbal.pipeline import analyze as run_analysis
        from sprintbal.pipeline import trim_heap
        from sprintbal.pose.cache import PoseCache
        from sprintbal.report.outputs import clip_output_dir, prepare_output_dir, write_outputs

        cfg = _resolve(config, model, capture_fps, height, mass, sex, cutoff_hz, depth)
        existed = clip_output_dir(out, clip).exists()
        folder = prepare_output_dir(clip_output_dir(out, clip)) if Path(clip).is_file() else None
        cache = None if no_cache else PoseCache(cache_dir)
        try:
            with _progress(not quiet and not json_out) as hook:
                result = run_analysis(
                    clip, cfg, cache=cache, until="pose" if pose_only else "balance", on_progress=hook
                )
        except BaseException:
            if folder is not None and not existed:  # do not leave an empty folder behind a clip that failed
                with contextlib.suppress(OSError):
                    folder.rmdir()
            raise
        folder = folder or prepare_output_dir(clip_output_dir(out, clip))
        report = write_outputs(result, folder)
        info = result.video
        del result  # the visuals read the saved files: free the track, kinematics and balance first
        trim_heap()  # and give their pages back (glibc keeps freed heap pages; long clips)
        _visuals(folder, Path(clip), overlay=overlay, info=info, quiet=quiet, progress=not quiet and not json_out)
        if json_out:
            from sprintbal.report.jsonutil import dumps

            typer.echo(dumps(report))
        elif not quiet:
            from sprintbal.report.console import render_summary

            render_summary(report, _stdout_console(), out_dir=str(folder))
        events = (report.get("balance") or {}).get("events") or []
        if fail_on_breakdown and events:
            raise typer.Exit(10)


def _visuals(
    folder: Path, clip: Path | None, *, overlay: bool, info: Any, quiet: bool, progress: bool, saved: Any = None
) -> None:
    """Write overlay.mp4 and report.html; their failures become warnings (the data files are already safe)."""
    from sprintbal.report.visuals import write_visuals

    with _progress(progress) as hook:
        res = write_visuals(folder, clip, overlay=overlay, info=info, on_progress=hook, saved=saved)
    if not quiet:
        for warning in res.warnings:
            typer.echo(f"sprintbal: warning: {warning}", err=True)


@app.command("report")
def report_cmd(
    outdir: Annotated[Path, typer.Argument(help="A clip's output folder (OUT/<clip-stem>/) written by analyze.")],
    clip: Annotated[
        Path | None,
        typer.Option("--clip", help="The analysed clip, for stills and overlay [default: the path in report.json]."),
    ] = None,
    overlay: OverlayOpt = True,
    json_out: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Rebuild report.html (and overlay.mp4) of an analysed clip from its saved files, without running pose."""
    with _user_errors():
        from sprintbal.report.saved import load_saved
        from sprintbal.report.visuals import find_clip

        saved = load_saved(outdir)
        source, why = find_clip(saved, clip)
        if source is None and not quiet:
            typer.echo(f"sprintbal: warning: no stills or overlay: {why}", err=True)
        _visuals(
            outdir, source, overlay=overlay, info=None, quiet=quiet, progress=not quiet and not json_out, saved=saved
        )
        if json_out:
            from sprintbal.report.jsonutil import dumps

            typer.echo(dumps(saved.report))
        elif not quiet:
            from sprintbal.report.console import render_summary

            render_summary(saved.report, _stdout_console(), out_dir=str(outdir))


@app.command()
def synth(
    out: Annotated[Path, typer.Argument(help="Clip to write (.mp4); its truth file <stem>.truth.npz goes beside it.")],
    speed: Annotated[float, typer.Option("--speed", help="Running speed, m/s.")] = 8.0,
    step_freq: Annotated[float, typer.Option("--step-freq", help="Step frequency, Hz (steps per second).")] = 4.4,
    contact_fraction: Annotated[
        float, typer.Option("--contact-fraction", help="Share of a step on the ground.")
    ] = 0.45,
    body_height: Annotated[float, typer.Option("--body-height", help="Runner's standing height, m.")] = 1.80,
    body_mass: Annotated[float, typer.Option("--body-mass", help="Runner's mass, kg.")] = 75.0,
    fps: Annotated[float, typer.Option("--fps", help="Frame rate of the clip (30-240).")] = 60.0,
    width: Annotated[int, typer.Option("--width", help="Frame width, px.")] = 1280,
    height: Annotated[int, typer.Option("--height", help="Frame height, px.")] = 720,
    duration: Annotated[
        float | None, typer.Option("--duration", help="Seconds [default: 3, or the whole --motion file].")
    ] = None,
    view: Annotated[str, typer.Option("--view", help="Camera: side, side_left, oblique or front.")] = "side",
    follow: Annotated[str, typer.Option("--follow", help="Camera motion: track, pan or static.")] = "track",
    distance: Annotated[float, typer.Option("--distance", help="Camera distance from the lane, m.")] = 9.0,
    perturb: Annotated[
        list[str] | None,
        typer.Option(
            "--perturb",
            help="Inject KIND:START:END[:STRENGTH] (seconds; repeatable). Kinds: arm_drop_left, arm_drop_right, "
            "arm_drop_both, swing_leg_lag_left, swing_leg_lag_right, trunk_over_rotation.",
        ),
    ] = None,
    noise: Annotated[float, typer.Option("--noise", help="Camera noise, standard deviation in grey levels.")] = 0.0,
    jpeg_quality: Annotated[int | None, typer.Option("--jpeg-quality", help="Per-frame JPEG quality (1-100).")] = None,
    motion_blur: Annotated[int, typer.Option("--motion-blur", help="Sub-frames averaged per frame.")] = 1,
    crf: Annotated[int, typer.Option("--crf", help="H.264 quality (lower is better).")] = 23,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (noise, background).")] = 0,
    motion: Annotated[
        Path | None,
        typer.Option("--motion", help="Render this 3D joint CSV (time_s + <landmark>_x/_y/_z in metres) instead."),
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    """Render a synthetic sprinter with a known answer: the clip and its ground-truth file."""
    with _user_errors():
        from sprintbal.synth.generate import generate_from_options

        with _progress(not quiet) as hook:
            truth = generate_from_options(
                out,
                speed=speed,
                step_freq=step_freq,
                contact_fraction=contact_fraction,
                body_height=body_height,
                body_mass=body_mass,
                fps=fps,
                width=width,
                height=height,
                duration=duration,
                view=view,
                follow=follow,
                distance=distance,
                perturb=perturb or (),
                noise=noise,
                jpeg_quality=jpeg_quality,
                motion_blur=motion_blur,
                crf=crf,
                seed=seed,
                motion=motion,
                on_frame=(lambda done, total: hook("render", done, total)) if hook else None,
            )
        if not quiet:
            windows = ", ".join(f"{p['kind']} {p['start_s']:.2f}-{p['end_s']:.2f} s" for p in truth.perturbations)
            typer.echo(
                f"wrote {out} ({truth.t.shape[0]} frames at {truth.fps:g} fps) and its truth file"
                + (f"; injected: {windows}" if windows else "")
            )


# ---- batch and regress (issue 7) --------------------------------------------------------------


def _fmt(value: Any, spec: str = ".3g") -> str:
    return "" if value is None else format(value, spec) if isinstance(value, float) else str(value)


@contextlib.contextmanager
def _batch_display(enabled: bool) -> Iterator[Any]:
    """Yield an ``on_event`` hook: one overall bar, a transient bar per running clip, a status line per clip."""
    if not enabled:
        yield None
        return
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=_stderr_console(False), transient=True) as bar:
        overall = bar.add_task("[bold]clips", total=None)
        per_clip: dict[str, Any] = {}

        def hook(event: Any) -> None:
            if event.kind == "begin":
                bar.update(overall, total=event.total)
            elif event.kind == "start":
                per_clip[event.clip] = bar.add_task(f"  {escape(Path(event.clip).name)}", total=None)
            elif event.kind == "progress" and event.clip in per_clip:
                bar.update(
                    per_clip[event.clip],
                    description=f"  {escape(Path(event.clip).name)} {event.stage}",
                    completed=event.done,
                    total=event.stage_total or None,
                )
            elif event.kind == "done":
                task = per_clip.pop(event.clip, None)
                if task is not None:
                    bar.remove_task(task)
                bar.update(overall, completed=event.finished)
                row = event.row or {}
                status = row.get("status", "?")
                style = {"ok": "green", "skipped": "cyan"}.get(status, "bold red")
                detail = f": {row.get('reason')}" if row.get("reason") else f" ({row.get('seconds', 0):.1f} s)"
                bar.console.print(f"[{style}]{status:>7}[/] {escape(event.clip)}{escape(detail)}")

        yield hook


def _batch_table(summary: Any) -> Any:
    from rich.table import Table

    table = Table(
        title=f"sprintbal batch: {summary.n_ok} ok, {summary.n_failed} failed, {summary.n_skipped} skipped"
        f" in {summary.wall_s:.1f} s",
        title_justify="left",
    )
    table.add_column("clip", overflow="fold", min_width=16)
    table.add_column("status", no_wrap=True)
    for col in ("frames", "det", "steps", "cad/min", "contact s", "events", "score", "time s"):
        table.add_column(col, justify="right", overflow="fold")
    for r in summary.rows:
        rate = r.get("detection_rate")
        table.add_row(
            r["clip"],
            r["status"],
            _fmt(r.get("frames")),
            "" if rate is None else f"{100 * rate:.0f}%",
            _fmt(r.get("steps")),
            _fmt(r.get("cadence_steps_per_min"), ".0f"),
            _fmt(r.get("median_contact_s"), ".3f"),
            _fmt(r.get("events")),
            _fmt(r.get("balance_score"), ".0f"),
            _fmt(r.get("seconds"), ".1f"),
        )
    return table


@app.command()
def batch(
    folder: Annotated[Path, typer.Argument(help="Folder searched recursively for videos (mp4 mov m4v avi mkv webm).")],
    out: OutOpt,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Clips analysed at once, one process each.")] = 1,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", help="Seconds per clip; a clip still running then is stopped and marked failed."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask scheduler tcp://host:port (OUT must be on a shared filesystem)."),
    ] = None,
    model: ModelOpt = None,
    capture_fps: CaptureFpsOpt = None,
    height: HeightOpt = None,
    mass: MassOpt = None,
    sex: SexOpt = None,
    config: ConfigOpt = None,
    cutoff_hz: CutoffOpt = None,
    depth: DepthOpt = None,
    no_cache: NoCacheOpt = False,
    cache_dir: CacheDirOpt = None,
    pose_only: Annotated[bool, typer.Option("--pose-only", help="Stop after pose for every clip.")] = False,
    overlay: Annotated[
        bool, typer.Option("--overlay/--no-overlay", help="Also write each clip's annotated overlay.mp4.")
    ] = False,
    json_out: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Analyse every video under FOLDER into OUT/<clip>/ and OUT/summary.csv; re-runs skip finished clips."""
    with _user_errors():
        from sprintbal.batch import find_clips, run_batch
        from sprintbal.errors import BadInputError

        cfg = _resolve(config, model, capture_fps, height, mass, sex, cutoff_hz, depth)
        clips = find_clips(folder, exclude=[out])
        if not clips:
            raise BadInputError(f"{folder}: no video files found (looked for .mp4 .mov .m4v .avi .mkv .webm)")
        with _batch_display(not quiet and not json_out) as hook:
            summary = run_batch(
                clips,
                out,
                cfg,
                jobs=jobs,
                timeout_s=timeout,
                scheduler=scheduler,
                cache_dir=cache_dir,
                use_cache=not no_cache,
                until="pose" if pose_only else "balance",
                root=folder,
                on_event=hook,
                overlay=overlay,
            )
        if json_out:
            from sprintbal.report.jsonutil import dumps

            typer.echo(dumps(summary.to_dict()))
        elif not quiet:
            console = _stdout_console()
            console.print(_batch_table(summary))
            for r in summary.rows:
                if r["status"] == "failed":
                    console.print(f"failed: {r['clip']}: {r['reason']}", highlight=False, markup=False, soft_wrap=True)
            console.print(f"summary: {summary.summary_csv}", highlight=False, soft_wrap=True)
        if summary.n_failed:
            raise typer.Exit(1)


@app.command()
def regress(
    folder: Annotated[Path, typer.Argument(help="A batch output folder (OUT with OUT/<clip>/report.json).")],
    baseline: Annotated[Path, typer.Option("--baseline", help="Baseline JSON file of metrics per clip.")],
    update: Annotated[bool, typer.Option("--update", help="Write the current metrics as the new baseline.")] = False,
    junit: Annotated[Path | None, typer.Option("--junit", help="Also write JUnit XML, one testcase per clip.")] = None,
    tolerances: Annotated[
        Path | None,
        typer.Option("--tolerances", help="TOML file: [tolerances] metric = {abs = .., rel = ..} (globs allowed)."),
    ] = None,
    show_all: Annotated[bool, typer.Option("--all", help="List every metric, not only the drifted ones.")] = False,
    json_out: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Compare the metrics of a batch output folder with a baseline; exit 1 when a metric drifted."""
    with _user_errors():
        from sprintbal.errors import BadInputError
        from sprintbal.regress import (
            collect_metrics,
            compare,
            load_baseline,
            load_tolerances,
            write_baseline,
            write_junit,
        )

        tols = load_tolerances(tolerances)
        current = collect_metrics(folder)
        if not current["clips"]:
            raise BadInputError(f"{folder}: no <clip>/report.json found (run sprintbal batch first)")
        if update:
            doc = write_baseline(baseline, current)
            if not quiet:
                typer.echo(f"baseline {baseline} written: {len(doc['clips'])} clips")
            return
        result = compare(load_baseline(baseline), current, tols)
        if junit is not None:
            write_junit(result, junit)
        if json_out:
            from sprintbal.report.jsonutil import dumps

            typer.echo(dumps(result.to_dict()))
        elif not quiet:
            _print_regress(result, show_all)
        if not result.ok:
            raise typer.Exit(1)


def _print_regress(result: Any, show_all: bool) -> None:
    from rich.table import Table

    console = _stdout_console()
    rows = [r for r in result.rows if show_all or not r.ok]
    if rows or result.missing_clips or result.new_clips:
        table = Table(title="sprintbal regress", title_justify="left")
        table.add_column("clip", overflow="fold", min_width=10)
        table.add_column("metric", overflow="fold", min_width=24)
        table.add_column("status", no_wrap=True)
        for col in ("baseline", "current", "delta", "allowed"):
            table.add_column(col, justify="right", no_wrap=True)
        for r in rows:
            table.add_row(
                r.clip,
                r.metric,
                r.status.upper() if not r.ok else r.status,
                _fmt(r.baseline, ".6g"),
                _fmt(r.current, ".6g"),
                "" if r.delta is None else f"{r.delta:+.4g}",
                _fmt(r.allowed, ".4g"),
            )
        for clip in result.missing_clips:
            table.add_row(clip, "(whole clip)", "MISSING", "", "", "", "")
        for clip in result.new_clips:
            table.add_row(clip, "(whole clip)", "new: no baseline", "", "", "", "")
        console.print(table)
    n_clips = len(result.clips)
    if result.ok:
        console.print(f"regress: ok, {len(result.rows)} metrics of {n_clips} clips within tolerance", highlight=False)
    else:
        console.print(
            f"regress: FAILED, {len(result.failed_clips)} of {n_clips} clips drifted or missing: "
            + ", ".join(result.failed_clips),
            highlight=False,
            soft_wrap=True,
        )


def main() -> None:
    """Entry point of the ``sprintbal`` console script."""
    app(prog_name="sprintbal")


if __name__ == "__main__":  # pragma: no cover
    main()
