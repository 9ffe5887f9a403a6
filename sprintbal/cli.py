"""The ``sprintbal`` command line: thin typer commands over :mod:`sprintbal.pipeline`.

Only typer is imported at module level, so ``sprintbal --help`` is instant.
Every :class:`~sprintbal.errors.SprintbalError` becomes one line on stderr and
a non-zero exit code, in one place (:func:`_user_errors`).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

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

# ---- options declared once, reused by every command -------------------------------------------
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Output folder; each clip's files go to OUT/<clip-stem>/.")]
ModelOpt = Annotated[
    Optional[Path],  # noqa: UP007 (typer needs Optional at runtime on 3.11)
    typer.Option("--model", help="MediaPipe Tasks PoseLandmarker .task file (default: bundled BlazePose full)."),
]
CaptureFpsOpt = Annotated[
    Optional[float],  # noqa: UP007
    typer.Option("--capture-fps", help="Real capture rate of a slow-motion export (e.g. 240 for a 240 fps clip saved at 30 fps)."),
]
HeightOpt = Annotated[Optional[float], typer.Option("--height", help="Runner's height in metres [default: 1.75].")]  # noqa: UP007
MassOpt = Annotated[Optional[float], typer.Option("--mass", help="Runner's mass in kg [default: 70].")]  # noqa: UP007
SexOpt = Annotated[Optional[str], typer.Option("--sex", help="de Leva segment table: male or female [default: male].")]  # noqa: UP007
ConfigOpt = Annotated[
    Optional[Path],  # noqa: UP007
    typer.Option("--config", help="TOML file with [pose] [cleaning] [body] [kinematics] [balance] tables."),
]
CutoffOpt = Annotated[
    Optional[float],  # noqa: UP007
    typer.Option("--cutoff-hz", help="Low-pass cut-off in Hz of capture time [default: chosen from the data]."),
]
DepthOpt = Annotated[
    Optional[str],  # noqa: UP007
    typer.Option("--depth", help="Sideways offsets for vertical-axis momentum: prior or world [default: prior]."),
]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Always run pose inference; do not read or write the pose cache.")]
CacheDirOpt = Annotated[
    Optional[Path],  # noqa: UP007
    typer.Option("--cache-dir", help="Pose cache folder [default: $SPRINTBAL_CACHE_DIR or ~/.cache/sprintbal/pose]."),
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
        typer.echo("sprintbal: interrupted; files already written are complete, nothing was left half-written", err=True)
        raise typer.Exit(130) from None


def _stderr_console(quiet: bool) -> Any:
    from rich.console import Console

    return Console(stderr=True, quiet=quiet)


def _stdout_console() -> Any:
    from rich.console import Console

    return Console()


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator[Any]:
    """Yield an ``on_progress(stage, done, total)`` hook drawing a rich bar with frames/s on stderr."""
    if not enabled:
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
    with Progress(*columns, console=_stderr_console(False), transient=True) as bar:
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
    pose_only: Annotated[bool, typer.Option("--pose-only", help="Stop after pose: landmarks, TRC and report only.")] = False,
    fail_on_breakdown: Annotated[
        bool, typer.Option("--fail-on-breakdown", help="Exit with code 10 when a balance breakdown is found.")
    ] = False,
    json_out: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Analyse one sprint clip: landmarks, kinematics, rotational balance; files in OUT/<clip-stem>/."""
    with _user_errors():
        from sprintbal.pipeline import analyze as run_analysis
        from sprintbal.pose.cache import PoseCache
        from sprintbal.report.outputs import clip_output_dir, prepare_output_dir, write_outputs

        cfg = _resolve(config, model, capture_fps, height, mass, sex, cutoff_hz, depth)
        folder = prepare_output_dir(clip_output_dir(out, clip)) if Path(clip).is_file() else None
        cache = None if no_cache else PoseCache(cache_dir)
        with _progress(not quiet and not json_out) as hook:
            result = run_analysis(clip, cfg, cache=cache, until="pose" if pose_only else "balance", on_progress=hook)
        folder = folder or prepare_output_dir(clip_output_dir(out, clip))
        report = write_outputs(result, folder)
        if json_out:
            from sprintbal.report.jsonutil import dumps

            typer.echo(dumps(report))
        elif not quiet:
            from sprintbal.report.console import render_summary

            render_summary(report, _stdout_console(), out_dir=str(folder))
        events = (report.get("balance") or {}).get("events") or []
        if fail_on_breakdown and events:
            raise typer.Exit(10)


def main() -> None:
    """Entry point of the ``sprintbal`` console script."""
    app(prog_name="sprintbal")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
