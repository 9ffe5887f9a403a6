"""PoseTrack: every frame's landmarks, the container between the pose and kinematics stages."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sprintbal.atomic import atomic_path
from sprintbal.errors import BadInputError
from sprintbal.pose.landmarks import N_LANDMARKS

TRACK_FORMAT_VERSION = 1


@dataclass(frozen=True)
class PoseTrack:
    """Per-frame BlazePose landmarks of one clip. Time is axis 0 (T frames).

    Attributes
    ----------
    t : ndarray, shape (T,)
        Capture time of each frame in seconds from the first decoded frame, from
        the container's presentation timestamps, rescaled for slow-motion files
        (``capture_fps``). Strictly increasing.
    xy : ndarray, shape (T, 33, 2)
        Image landmarks in pixels of the upright (rotation-corrected) frame:
        x to the right, y DOWN. NaN where nobody was found.
    z : ndarray, shape (T, 33)
        MediaPipe's relative image depth, in pixels on the x scale (smaller is
        nearer the camera, origin at the hips). NaN where nobody was found.
    visibility : ndarray, shape (T, 33)
        Likelihood in [0, 1] that the landmark is visible (not occluded). NaN where nobody was found.
    presence : ndarray, shape (T, 33)
        Likelihood in [0, 1] that the landmark is in the frame. NaN where not reported.
    world : ndarray, shape (T, 33, 3)
        World landmarks in metres, origin between the hips, MediaPipe axes
        (x right, y DOWN, z away from the camera). NaN where nobody was found.
        (``visibility``, ``presence`` and ``world`` are float32 from the estimator, MediaPipe's own
        precision; any float dtype is accepted. ``t``, ``xy`` and ``z`` are float64.)
    detected : ndarray of bool, shape (T,)
        Whether a person was found in the frame.
    image_size : tuple of int
        (width, height) in pixels of the upright frame.
    model : str
        Which pose model produced the track.
    """

    t: np.ndarray
    xy: np.ndarray
    z: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    world: np.ndarray
    detected: np.ndarray
    image_size: tuple[int, int]
    model: str
    frame_index: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __post_init__(self) -> None:
        n = int(np.asarray(self.t).shape[0])
        expected = {
            "t": (n,),
            "xy": (n, N_LANDMARKS, 2),
            "z": (n, N_LANDMARKS),
            "visibility": (n, N_LANDMARKS),
            "presence": (n, N_LANDMARKS),
            "world": (n, N_LANDMARKS, 3),
            "detected": (n,),
        }
        for name, shape in expected.items():
            arr = np.asarray(getattr(self, name))
            if arr.shape != shape:
                raise ValueError(f"PoseTrack.{name} has shape {arr.shape}, expected {shape}")
        if n > 1 and not np.all(np.diff(self.t) > 0):
            raise ValueError("PoseTrack.t must be strictly increasing")
        if self.frame_index.shape[0] == 0 and n:
            object.__setattr__(self, "frame_index", np.arange(n, dtype=np.int64))
        elif self.frame_index.shape != (n,):
            raise ValueError(f"PoseTrack.frame_index has shape {self.frame_index.shape}, expected {(n,)}")

    @property
    def n_frames(self) -> int:
        """Number of frames T."""
        return int(self.t.shape[0])

    @property
    def detection_rate(self) -> float:
        """Fraction of frames in which a person was found (0 for an empty track)."""
        return float(np.mean(self.detected)) if self.n_frames else 0.0

    def save(self, path: Path) -> None:
        """Write the track to a compressed ``.npz`` file, atomically.

        Parameters
        ----------
        path : Path
            Target file (``.npz``).
        """
        meta = {
            "format_version": TRACK_FORMAT_VERSION,
            "image_size": list(self.image_size),
            "model": self.model,
        }
        with atomic_path(Path(path), suffix=".npz") as tmp, open(tmp, "wb") as fh:
            np.savez_compressed(
                fh,
                t=self.t,
                xy=self.xy,
                z=self.z,
                visibility=self.visibility,
                presence=self.presence,
                world=self.world,
                detected=self.detected,
                frame_index=self.frame_index,
                meta=np.array(json.dumps(meta)),
            )

    @classmethod
    def load(cls, path: Path) -> PoseTrack:
        """Read a track written by :meth:`save`.

        Parameters
        ----------
        path : Path
            An ``.npz`` file written by :meth:`save`.

        Returns
        -------
        PoseTrack
            The track.

        Raises
        ------
        BadInputError
            If the file is missing, unreadable or of another format version.
        """
        try:
            # open the file ourselves: np.load leaks its own handle when a zip is truncated
            with open(Path(path), "rb") as fh, np.load(fh, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                if meta.get("format_version") != TRACK_FORMAT_VERSION:
                    raise BadInputError(f"{path}: pose track format {meta.get('format_version')} is not supported")
                return cls(
                    t=data["t"],
                    xy=data["xy"],
                    z=data["z"],
                    visibility=data["visibility"],
                    presence=data["presence"],
                    world=data["world"],
                    detected=data["detected"].astype(bool),
                    image_size=(int(meta["image_size"][0]), int(meta["image_size"][1])),
                    model=str(meta["model"]),
                    frame_index=data["frame_index"],
                )
        except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as exc:
            raise BadInputError(f"cannot read pose track {path}: {exc}") from exc

    @classmethod
    def empty_like(cls, t: np.ndarray, image_size: tuple[int, int], model: str) -> PoseTrack:
        """Return a track of ``len(t)`` frames where nobody was found (all NaN).

        Parameters
        ----------
        t : ndarray, shape (T,)
            Frame times in seconds.
        image_size : tuple of int
            (width, height) in pixels.
        model : str
            Model name.

        Returns
        -------
        PoseTrack
            A track with ``detected`` all False.
        """
        n = int(np.asarray(t).shape[0])
        nan = np.nan
        return cls(
            t=np.asarray(t, dtype=float),
            xy=np.full((n, N_LANDMARKS, 2), nan),
            z=np.full((n, N_LANDMARKS), nan),
            visibility=np.full((n, N_LANDMARKS), nan),
            presence=np.full((n, N_LANDMARKS), nan),
            world=np.full((n, N_LANDMARKS, 3), nan),
            detected=np.zeros(n, dtype=bool),
            image_size=image_size,
            model=model,
        )
