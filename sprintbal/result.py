"""AnalysisResult: everything one analysis of one clip produced, handed to the report writers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sprintbal.config import AnalysisConfig
from sprintbal.pose.track import PoseTrack

if TYPE_CHECKING:
    from sprintbal.balance import BalanceAssessment
    from sprintbal.kinematics.result import Kinematics
    from sprintbal.video import VideoInfo


@dataclass(frozen=True)
class AnalysisResult:
    """One clip's analysis: video facts, configuration, pose track, kinematics and balance.

    Attributes
    ----------
    clip : Path
        The analysed clip.
    clip_sha256 : str
        SHA-256 of the clip's bytes (the pose cache key's first part).
    video : VideoInfo
        Size, codec, frame rate, frame count, duration and rotation of the clip.
    config : AnalysisConfig
        The configuration that produced this result.
    track : PoseTrack
        Per-frame landmarks.
    kinematics : Kinematics or None
        Segment angular momentum, gait events, push/swing sides; None when not computed.
    balance : BalanceAssessment or None
        Breakdown events and scores; None when not computed.
    version : str
        sprintbal version.
    pose_cached : bool
        Whether the pose track came from the cache (no inference ran).
    timings_s : dict of str to float
        Wall-clock seconds per stage.
    notes : tuple of str
        Plain-language remarks for the user (e.g. "nobody was found in this clip").
    """

    clip: Path
    clip_sha256: str
    video: VideoInfo
    config: AnalysisConfig
    track: PoseTrack
    kinematics: Kinematics | None
    balance: BalanceAssessment | None
    version: str
    pose_cached: bool = False
    timings_s: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
