"""The known answer of a synthetic clip, and its file format.

File format: one NumPy ``.npz`` beside the clip, ``<stem>.truth.npz`` (see
:func:`truth_path`), holding

- ``meta``: a 0-d string array with a JSON object: ``format_version``, ``source``
  (``parametric`` / ``csv`` / ``deepmimic``), ``params`` (the :class:`SprintParams` fields or
  null), ``fps``, ``height_m``, ``mass_kg``, ``camera`` (``width``, ``height``, ``view``,
  ``follow``), ``perturbations`` (list of ``{kind, start_s, end_s, strength}``),
  ``render`` (noise, blur, crf, seed, ...), ``momenta_keys`` and ``units``;
- arrays: ``t`` (T,) s; ``joints3d`` (T, 33, 3) lab metres (X forward, Y up, Z right);
  ``joints2d`` (T, 33, 2) pixels (x right, y down) of the truth joints through the
  clip's own camera; ``contact`` (T, 2) bool (left, right); ``touchdown_left``,
  ``touchdown_right``, ``toeoff_left``, ``toeoff_right`` (n,) s; ``camera_K`` (3, 3),
  ``camera_R`` (T, 3, 3) world-to-camera, ``camera_C`` (T, 3) lab metres; and optional
  ``momenta_<name>`` arrays (e.g. ``momenta_push`` (T, 3) kg*m^2/s) attached later by
  :func:`attach_momenta`.

Frame i of the video shows time ``t[i]`` (the first frame is t = 0 unless the motion CSV
starts later).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sprintbal.atomic import atomic_path
from sprintbal.errors import BadInputError

TRUTH_FORMAT_VERSION = 1


def truth_path(clip: Path) -> Path:
    """Return the truth file that belongs to a clip: ``<dir>/<stem>.truth.npz``."""
    clip = Path(clip)
    return clip.with_name(clip.stem + ".truth.npz")


@dataclass(frozen=True)
class SynthTruth:
    """Everything known about a synthetic clip. Time is axis 0 (T frames).

    Attributes
    ----------
    t : ndarray, shape (T,)
        Frame times, seconds.
    fps : float
        Frame rate of the clip.
    joints3d : ndarray, shape (T, 33, 3)
        BlazePose-named joints, lab metres (X forward, Y up, Z right).
    joints2d : ndarray, shape (T, 33, 2)
        Their projections, pixels (x right, y down).
    contact : ndarray of bool, shape (T, 2)
        Foot on the ground (0 left, 1 right).
    touchdown_t, toeoff_t : tuple of two ndarrays
        Event times per foot (left, right), seconds.
    camera_K : ndarray, shape (3, 3)
    camera_R : ndarray, shape (T, 3, 3)
        World-to-camera rotations (rows: camera x right, y down, z forward).
    camera_C : ndarray, shape (T, 3)
        Camera centres, lab metres.
    image_size : tuple of int
        (width, height), pixels.
    view : str
        Camera view name.
    follow : str
        Camera follow mode.
    source : str
        ``parametric``, ``csv`` or ``deepmimic``.
    params : dict or None
        :class:`~sprintbal.synth.motion.SprintParams` fields (None for a motion file).
    height_m, mass_kg : float
        Body height and mass.
    perturbations : tuple of dict
        Injected windows ``{kind, start_s, end_s, strength}``.
    render : dict
        Rendering options (noise, blur, crf, seed, motion file ...).
    momenta : dict of str to ndarray, or None
        True angular momenta attached by the kinematics stage (e.g. ``push``, ``swing``,
        ``total`` each (T, 3) kg*m^2/s about the whole-body COM); None until attached.
    """

    t: np.ndarray
    fps: float
    joints3d: np.ndarray
    joints2d: np.ndarray
    contact: np.ndarray
    touchdown_t: tuple[np.ndarray, np.ndarray]
    toeoff_t: tuple[np.ndarray, np.ndarray]
    camera_K: np.ndarray
    camera_R: np.ndarray
    camera_C: np.ndarray
    image_size: tuple[int, int]
    view: str
    follow: str
    source: str
    params: dict[str, Any] | None
    height_m: float
    mass_kg: float
    perturbations: tuple[dict[str, Any], ...] = ()
    render: dict[str, Any] = field(default_factory=dict)
    momenta: dict[str, np.ndarray] | None = None

    def __post_init__(self) -> None:
        n = int(np.asarray(self.t).shape[0])
        expected = {
            "joints3d": (n, 33, 3),
            "joints2d": (n, 33, 2),
            "contact": (n, 2),
            "camera_R": (n, 3, 3),
            "camera_C": (n, 3),
            "camera_K": (3, 3),
        }
        for name, shape in expected.items():
            if np.asarray(getattr(self, name)).shape != shape:
                got = np.asarray(getattr(self, name)).shape
                raise ValueError(f"SynthTruth.{name} has shape {got}, expected {shape}")

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return int(self.t.shape[0])

    def perturbed(self, t: np.ndarray | None = None) -> np.ndarray:
        """Return a bool mask (T,) of frames inside any injected perturbation window."""
        tt = self.t if t is None else np.asarray(t)
        mask = np.zeros(tt.shape[0], bool)
        for p in self.perturbations:
            mask |= (tt >= p["start_s"]) & (tt <= p["end_s"])
        return mask


def attach_momenta(truth: SynthTruth, **momenta: np.ndarray) -> SynthTruth:
    """Return a copy of ``truth`` with true angular momenta attached.

    Parameters
    ----------
    truth : SynthTruth
    **momenta : ndarray, shape (T, ...)
        Named arrays with time on axis 0, e.g. ``push=``, ``swing=``, ``total=`` (T, 3) kg*m^2/s.

    Returns
    -------
    SynthTruth
    """
    merged = dict(truth.momenta or {})
    for name, arr in momenta.items():
        a = np.asarray(arr, dtype=float)
        if a.shape[:1] != (truth.n_frames,):
            raise ValueError(f"momenta {name} must have {truth.n_frames} frames on axis 0, got shape {a.shape}")
        merged[name] = a
    return dataclasses.replace(truth, momenta=merged)


#: Groups whose true angular momenta :func:`compute_true_momenta` attaches.
MOMENTUM_GROUPS = ("push", "swing", "lower", "upper", "total")


def compute_true_momenta(truth: SynthTruth, flight_rule: str = "last_off") -> SynthTruth:
    """Return the truth with the true group angular momenta of its 3D joints attached.

    The same de Leva body model (male table, the truth's mass) and momentum code as the pipeline,
    run on the exact 3D joints, with the true contacts deciding the push side (``flight_rule`` in
    flight). Each group is (T, 3) kg*m^2/s about the whole-body COM in the lab frame (X forward,
    Y up, Z to the runner's right).

    Parameters
    ----------
    truth : SynthTruth
        Truth of a rendered clip.
    flight_rule : {"last_off", "next_on"}
        Push side in flight.

    Returns
    -------
    SynthTruth
        A copy with ``momenta`` holding ``push``, ``swing``, ``lower``, ``upper``, ``total``.
    """
    from sprintbal.kinematics.body_model import compute_body_model, compute_segment_kinematics
    from sprintbal.kinematics.events import compute_push_side
    from sprintbal.kinematics.momentum import compute_group_momenta, compute_segment_momentum

    model = compute_body_model("male", float(truth.mass_kg))
    seg = compute_segment_kinematics(truth.joints3d, model, truth.t)
    h = compute_segment_momentum(
        seg.com, seg.com_velocity, seg.inertia_lab, seg.omega, seg.mass_kg, seg.body_com, seg.body_com_velocity
    )
    push = compute_push_side(truth.contact, truth.t, flight_rule)
    groups = compute_group_momenta(h, model.names, push)
    return attach_momenta(truth, **{name: getattr(groups, name) for name in MOMENTUM_GROUPS})


def save_truth(truth: SynthTruth, path: Path) -> Path:
    """Write the truth file atomically (format in the module docstring) and return its path."""
    path = Path(path)
    meta = {
        "format_version": TRUTH_FORMAT_VERSION,
        "source": truth.source,
        "params": truth.params,
        "fps": truth.fps,
        "height_m": truth.height_m,
        "mass_kg": truth.mass_kg,
        "camera": {"width": truth.image_size[0], "height": truth.image_size[1], "view": truth.view,
                   "follow": truth.follow},
        "perturbations": list(truth.perturbations),
        "render": truth.render,
        "momenta_keys": sorted(truth.momenta) if truth.momenta else None,
        "units": {"t": "s", "joints3d": "m, lab frame X forward Y up Z right", "joints2d": "px, x right y down",
                  "momenta": "kg*m^2/s about the whole-body COM, lab axes"},
    }
    arrays: dict[str, np.ndarray] = {
        "meta": np.array(json.dumps(meta)),
        "t": truth.t,
        "joints3d": truth.joints3d,
        "joints2d": truth.joints2d,
        "contact": truth.contact.astype(bool),
        "touchdown_left": truth.touchdown_t[0],
        "touchdown_right": truth.touchdown_t[1],
        "toeoff_left": truth.toeoff_t[0],
        "toeoff_right": truth.toeoff_t[1],
        "camera_K": truth.camera_K,
        "camera_R": truth.camera_R,
        "camera_C": truth.camera_C,
    }
    for name, arr in (truth.momenta or {}).items():
        arrays[f"momenta_{name}"] = arr
    with atomic_path(path, suffix=".npz") as tmp, open(tmp, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    return path


def load_truth(path: Path) -> SynthTruth:
    """Read a truth file written by :func:`save_truth`.

    Raises
    ------
    BadInputError
        If the file is missing or not a truth file.
    """
    path = Path(path)
    if not path.is_file():
        raise BadInputError(f"truth file {path} does not exist")
    try:
        with np.load(path, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
        meta = json.loads(str(data.pop("meta")))
    except (OSError, ValueError, KeyError) as exc:
        raise BadInputError(f"{path} is not a sprintbal truth file: {exc}") from exc
    if meta.get("format_version") != TRUTH_FORMAT_VERSION:
        raise BadInputError(f"{path} has truth format {meta.get('format_version')}, expected {TRUTH_FORMAT_VERSION}")
    momenta = {k[len("momenta_"):]: v for k, v in data.items() if k.startswith("momenta_")} or None
    cam = meta["camera"]
    return SynthTruth(
        t=data["t"],
        fps=float(meta["fps"]),
        joints3d=data["joints3d"],
        joints2d=data["joints2d"],
        contact=data["contact"].astype(bool),
        touchdown_t=(data["touchdown_left"], data["touchdown_right"]),
        toeoff_t=(data["toeoff_left"], data["toeoff_right"]),
        camera_K=data["camera_K"],
        camera_R=data["camera_R"],
        camera_C=data["camera_C"],
        image_size=(int(cam["width"]), int(cam["height"])),
        view=str(cam["view"]),
        follow=str(cam["follow"]),
        source=str(meta["source"]),
        params=meta["params"],
        height_m=float(meta["height_m"]),
        mass_kg=float(meta["mass_kg"]),
        perturbations=tuple(meta["perturbations"]),
        render=dict(meta["render"]),
        momenta=momenta,
    )
