"""Write the visual outputs of a clip (``overlay.mp4``, ``report.html``) from its saved output folder.

Used by ``sprintbal analyze`` right after the data files are written, and by ``sprintbal report OUTDIR``
to rebuild them later without running pose. Both outputs are optional extras: a failure in either is
returned as a one-line warning and never touches the data files already in the folder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sprintbal.errors import BadInputError, SprintbalError
from sprintbal.report.saved import SavedAnalysis, load_saved

if TYPE_CHECKING:
    from sprintbal.video import VideoInfo


@dataclass(frozen=True)
class VisualsResult:
    """What :func:`write_visuals` wrote.

    Attributes
    ----------
    html : Path or None
        ``report.html``, or None if it could not be written.
    overlay : Path or None
        ``overlay.mp4``, or None if not asked for, no clip, or it failed.
    warnings : tuple of str
        One line per problem (the data files are unaffected).
    """

    html: Path | None
    overlay: Path | None
    warnings: tuple[str, ...]


def find_clip(saved: SavedAnalysis, clip: Path | None) -> tuple[Path | None, str]:
    """Find the source clip of a saved analysis and check it is the same file (SHA-256).

    Parameters
    ----------
    saved : SavedAnalysis
        The saved analysis (its ``report.json`` records the clip's path and SHA-256).
    clip : Path or None
        A clip given by the user; None looks at the recorded path.

    Returns
    -------
    (Path or None, str)
        The clip, or None with a one-line reason.

    Raises
    ------
    BadInputError
        If ``clip`` was given but is missing or is not the clip this folder was made from.
    """
    from sprintbal.pose.cache import clip_hash

    meta = saved.report.get("clip") or {}
    want = str(meta.get("sha256") or "")
    if clip is not None:
        clip = Path(clip)
        if not clip.is_file():
            raise BadInputError(f"{clip}: no such file")
        if want and clip_hash(clip) != want:
            raise BadInputError(
                f"{clip} is not the clip {saved.folder} was made from (its SHA-256 differs from report.json)"
            )
        return clip, ""
    recorded = Path(str(meta.get("path") or ""))
    if not str(meta.get("path") or "") or not recorded.is_file():
        return None, f"the clip {recorded} was not found (give it with --clip)"
    if want and clip_hash(recorded) != want:
        return None, f"{recorded} has changed since the analysis (SHA-256 differs); give the clip with --clip"
    return recorded, ""


def write_visuals(
    folder: Path,
    clip: Path | None,
    *,
    overlay: bool = True,
    info: VideoInfo | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
    saved: SavedAnalysis | None = None,
) -> VisualsResult:
    """Write ``overlay.mp4`` (optional) and then ``report.html`` into a clip's output folder.

    Parameters
    ----------
    folder : Path
        The clip's output folder, already holding ``report.json`` and the tables.
    clip : Path or None
        The source clip (for the overlay and the breakdown stills); None: charts only.
    overlay : bool
        Write the annotated video.
    info : VideoInfo or None
        The clip's description (probed when None).
    on_progress : callable or None
        ``on_progress("overlay", done, total)`` per frame.
    saved : SavedAnalysis or None
        The folder's contents if already loaded.

    Returns
    -------
    VisualsResult
        Paths written and warnings.

    Raises
    ------
    BadInputError
        If ``folder`` is not a sprintbal output folder.
    """
    from sprintbal.report.html import write_html_report
    from sprintbal.report.overlay import write_overlay

    folder = Path(folder)
    saved = saved or load_saved(folder)
    warnings: list[str] = []
    overlay_path: Path | None = None
    if overlay and clip is not None:
        try:
            overlay_path = write_overlay(Path(clip), folder, info, saved=saved, on_progress=on_progress)
        except SprintbalError as exc:
            warnings.append(f"overlay.mp4 was not written: {exc.message}")
        except Exception as exc:
            warnings.append(f"overlay.mp4 was not written: {_one_line(exc)}")
    html_path: Path | None = None
    try:
        html_path = write_html_report(folder, clip, saved=saved, info=info if clip is not None else None)
    except SprintbalError as exc:
        warnings.append(f"report.html was not written: {exc.message}")
    except Exception as exc:
        warnings.append(f"report.html was not written: {_one_line(exc)}")
    written = {"html": html_path, "overlay": overlay_path}
    if any(written.values()):
        _record_files(folder, saved.report, {k: v.name for k, v in written.items() if v is not None})
    return VisualsResult(html=html_path, overlay=overlay_path, warnings=tuple(warnings))


def _record_files(folder: Path, report: dict[str, object], extra: dict[str, str]) -> None:
    """List the visuals in report.json's ``files`` (rewritten atomically; the rest is unchanged)."""
    from sprintbal.report.jsonutil import write_json

    files = dict(report.get("files") or {})  # type: ignore[call-overload]
    files.update(extra)
    write_json(folder / "report.json", {**report, "files": files})


def _one_line(exc: BaseException) -> str:
    text: Any = " ".join(str(exc).split())
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__
