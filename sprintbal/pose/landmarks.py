"""The 33 MediaPipe BlazePose landmarks: names, indices and left/right pairs.

Odd indices are left, even are right (index 0, the nose, is central). "Left"
is the subject's own left side.
"""

from __future__ import annotations

LANDMARK_NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)

N_LANDMARKS = len(LANDMARK_NAMES)
INDEX: dict[str, int] = {name: i for i, name in enumerate(LANDMARK_NAMES)}


def _mirror_name(name: str) -> str:
    if name.startswith("left_"):
        return "right_" + name[5:]
    if name.startswith("right_"):
        return "left_" + name[6:]
    if name.endswith("_left"):
        return name[:-5] + "_right"
    if name.endswith("_right"):
        return name[:-6] + "_left"
    return name


#: For each landmark, the index of its mirror image (left <-> right); the nose maps to itself.
MIRROR: tuple[int, ...] = tuple(INDEX[_mirror_name(n)] for n in LANDMARK_NAMES)

#: Leg landmarks (hip, knee, ankle, heel, toe) as (left, right) index pairs.
LEG_PAIRS: tuple[tuple[int, int], ...] = tuple(
    (INDEX[f"left_{p}"], INDEX[f"right_{p}"])
    for p in ("hip", "knee", "ankle", "heel", "foot_index")
)

#: Arm landmarks (shoulder to fingers) as (left, right) index pairs.
ARM_PAIRS: tuple[tuple[int, int], ...] = tuple(
    (INDEX[f"left_{p}"], INDEX[f"right_{p}"])
    for p in ("shoulder", "elbow", "wrist", "pinky", "index", "thumb")
)
