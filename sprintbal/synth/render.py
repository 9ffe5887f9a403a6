"""Render a 3D motion as footage: pinhole camera, shaded body solids, a track scene.

The body is built from the 33 BlazePose-named joints alone (so any motion renders:
parametric, motion CSV, DeepMimic): tapered capsules for the limbs, a trunk made of
three capsules (so it is wider than deep from any view), a head with hair, eyes, nose
and ears, hands and shoes. Each solid is drawn as an image-space impostor with exact
per-pixel depth, so a depth buffer resolves overlaps (a per-pixel painter's
algorithm: nearer surfaces win), Lambert + a little specular shading, and anti-aliased
edges. The scene is a tartan track with lane lines and markings, grass, a textured
stand with advertising boards and a sky, warped by plane homographies.

Camera frame (OpenCV): x right, y down, z forward. World (lab) frame: X forward, Y up,
Z to the runner's right, metres. Pixels: x right, y down, origin at the top-left
corner of the top-left pixel's centre (OpenCV convention).

cv2 is imported inside functions only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from sprintbal.errors import ConfigError
from sprintbal.pose.landmarks import INDEX

View = Literal["side", "side_left", "oblique", "front"]
Follow = Literal["track", "pan", "static"]
VIEWS: tuple[str, ...] = ("side", "side_left", "oblique", "front")
FOLLOWS: tuple[str, ...] = ("track", "pan", "static")


# --------------------------------------------------------------------------- camera


@dataclass(frozen=True)
class Camera:
    """A pinhole camera per frame.

    Attributes
    ----------
    K : ndarray, shape (3, 3)
        Intrinsics (focal length and principal point in pixels).
    R : ndarray, shape (T, 3, 3)
        World-to-camera rotations; rows are the camera's x (right), y (down), z (forward) axes in the lab frame.
    C : ndarray, shape (T, 3)
        Camera centres in the lab frame, metres.
    width, height : int
        Image size in pixels.
    """

    K: np.ndarray
    R: np.ndarray
    C: np.ndarray
    width: int
    height: int

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Project lab points to pixels.

        Parameters
        ----------
        points : ndarray, shape (T, N, 3)
            Lab-frame points, metres, one set per camera frame.

        Returns
        -------
        xy : ndarray, shape (T, N, 2)
            Pixels (x right, y down).
        depth : ndarray, shape (T, N)
            Distance along the optical axis, metres (<= 0 means behind the camera).
        """
        pc = np.einsum("tij,tnj->tni", self.R, points - self.C[:, None, :])
        depth = pc[..., 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            x = self.K[0, 0] * pc[..., 0] / depth + self.K[0, 2]
            y = self.K[1, 1] * pc[..., 1] / depth + self.K[1, 2]
        return np.stack([x, y], -1), depth

    def frame(self, i: int) -> Camera:
        """Return the one-frame camera of frame ``i``."""
        return Camera(self.K, self.R[i : i + 1], self.C[i : i + 1], self.width, self.height)

    def to_dict(self) -> dict[str, Any]:
        """Return plain data (arrays as nested lists are left to the caller)."""
        return {"K": self.K, "R": self.R, "C": self.C, "width": self.width, "height": self.height}


def look_at(eye: np.ndarray, target: np.ndarray) -> np.ndarray:
    """World-to-camera rotations looking from ``eye`` (T, 3) at ``target`` (T, 3), no roll; shape (T, 3, 3)."""
    z = target - eye
    z = z / np.linalg.norm(z, axis=-1, keepdims=True)
    down = np.array([0.0, -1.0, 0.0])
    x = np.cross(np.broadcast_to(down, z.shape), z)
    x = x / np.linalg.norm(x, axis=-1, keepdims=True)
    y = np.cross(z, x)
    return np.stack([x, y, z], axis=-2)


#: Direction from the runner's line to the camera, per view (lab frame, unit vectors).
_VIEW_DIRECTIONS: dict[str, np.ndarray] = {
    "side": np.array([0.0, 0.0, 1.0]),
    "side_left": np.array([0.0, 0.0, -1.0]),
    "oblique": np.array([math.sqrt(0.5), 0.0, math.sqrt(0.5)]),
    "front": np.array([1.0, 0.0, 0.0]),
}


def _runner_line_x(pelvis: np.ndarray) -> np.ndarray:
    """Straight-line fit of the pelvis X over frame number, shape (T,) (its mean, or 0, with under 2 finite frames)."""
    n = pelvis.shape[0]
    idx = np.arange(n, dtype=float)
    ok = np.all(np.isfinite(pelvis), axis=1)
    if ok.sum() >= 2:
        coef = np.polyfit(idx[ok], pelvis[ok, 0], 1)
        return np.polyval(coef, idx)
    return np.full(n, float(np.nanmean(pelvis[:, 0])) if ok.any() else 0.0)


def _focal_px(height: int, distance_m: float, body_height_m: float, vfov_deg: float | None) -> float:
    """Focal length in pixels: from the vertical field of view, or framing the runner at ~45% of the image height."""
    if vfov_deg is None:
        return 0.45 * height * distance_m / body_height_m
    if not 5.0 <= vfov_deg <= 120.0:
        raise ConfigError(f"vertical field of view must be between 5 and 120 degrees, got {vfov_deg}")
    return 0.5 * height / math.tan(math.radians(vfov_deg) / 2)


def make_camera(
    pelvis: np.ndarray,
    width: int,
    height: int,
    view: str = "side",
    follow: str = "track",
    distance_m: float = 9.0,
    camera_height_m: float = 1.2,
    vfov_deg: float | None = None,
    body_height_m: float = 1.8,
    lane_z: float = 0.0,
) -> Camera:
    """Place a camera to film a runner.

    Parameters
    ----------
    pelvis : ndarray, shape (T, 3)
        The runner's mid-hip per frame, lab metres (the camera follows its straight-line fit).
    width, height : int
        Image size, pixels.
    view : {"side", "side_left", "oblique", "front"}
        ``side``: from the runner's right, image x = direction of travel; ``side_left``: from the left
        (the runner moves right to left); ``oblique``: 45 degrees ahead-right; ``front``: straight ahead.
    follow : {"track", "pan", "static"}
        ``track``: a dolly keeping a constant offset from the runner; ``pan``: a fixed tripod turning to
        keep the runner centred; ``static``: fixed tripod aimed at the middle of the run.
    distance_m : float
        Horizontal distance from the runner's line (track) or from the middle of the run (pan/static).
    camera_height_m : float
        Camera height above the ground.
    vfov_deg : float or None
        Vertical field of view; None frames the runner at ~45% of the image height.
    body_height_m : float
        Runner height used for the default framing.
    lane_z : float
        Z of the runner's line.

    Returns
    -------
    Camera
    """
    if view not in VIEWS:
        raise ConfigError(f"unknown view {view!r}; choose one of {', '.join(VIEWS)}")
    if follow not in FOLLOWS:
        raise ConfigError(f"unknown camera follow mode {follow!r}; choose one of {', '.join(FOLLOWS)}")
    if not 2.0 <= distance_m <= 200.0:
        raise ConfigError(f"camera distance must be between 2 and 200 m, got {distance_m}")
    n = pelvis.shape[0]
    aim_y = 0.52 * body_height_m
    target = np.stack([_runner_line_x(pelvis), np.full(n, aim_y), np.full(n, lane_z)], -1)
    offset = _VIEW_DIRECTIONS[view] * distance_m + np.array([0.0, camera_height_m, 0.0])
    if follow == "track":
        eye = target * np.array([1.0, 0.0, 1.0]) + offset
    else:
        mid = target[n // 2] if n else np.array([0.0, aim_y, lane_z])
        eye = np.broadcast_to(mid * np.array([1.0, 0.0, 1.0]) + offset, (n, 3)).copy()
        if follow == "static":
            target = np.broadcast_to(mid, (n, 3)).copy()
    R = look_at(eye, target)
    f = _focal_px(height, distance_m, body_height_m, vfov_deg)
    K = np.array([[f, 0.0, (width - 1) / 2], [0.0, f, (height - 1) / 2], [0.0, 0.0, 1.0]])
    return Camera(K=K, R=R, C=eye, width=width, height=height)


# --------------------------------------------------------------------------- scene (background)


@dataclass
class Scene:
    """Background textures and where they sit in the world (built once per clip)."""

    ground: np.ndarray  # (h, w, 3) uint8 BGR, top-down: rows along Z, columns along X
    ground_origin: tuple[float, float]  # world (X, Z) of texel (0, 0)
    ground_res: float
    wall: np.ndarray  # (h, w, 3) uint8 BGR, columns along the wall, rows downward from the top
    wall_origin: np.ndarray  # world point of texel (0, 0) (top-left)
    wall_u: np.ndarray  # world unit vector along texture columns
    wall_res: float
    wall_height: float
    sky_top: tuple[int, int, int]
    sky_bottom: tuple[int, int, int]
    cache: dict = field(default_factory=dict)


#: Lane width and the number of lane lines of the track, metres.
_LANE_W = 1.22
_N_LANE_LINES = 9


def _lane_edges(lane_z: float) -> tuple[float, float]:
    """Z of the track's inside and outside lane lines (the runner's lane is the fourth of eight)."""
    return lane_z - 0.61 - 3 * _LANE_W, lane_z + 0.61 + 4 * _LANE_W


def _track_surface(rng: np.random.Generator, xs: np.ndarray, zs: np.ndarray, lane_z: float) -> np.ndarray:
    """Tartan with grain on the track, striped grass beyond it.

    Parameters
    ----------
    rng : numpy Generator
        Texture randomness (two draws).
    xs, zs : ndarray, shape (w,) and (h,)
        World X of the texel columns and Z of the texel rows, metres.
    lane_z : float
        Z of the runner's lane centre.

    Returns
    -------
    ndarray of float32, shape (h, w, 3)
        BGR, top-down (rows along Z, columns along X).
    """
    import cv2

    h, w = zs.shape[0], xs.shape[0]
    base = np.empty((h, w, 3), np.float32)
    tartan = np.array([58, 72, 168], np.float32)  # BGR
    grass = np.array([60, 130, 70], np.float32)
    inner, outer = _lane_edges(lane_z)
    on_track = (zs >= inner - 0.3) & (zs <= outer + 0.3)
    base[:] = grass
    base[on_track] = tartan
    grain = np.asarray(cv2.resize(rng.normal(0, 1, (h // 4 + 1, w // 4 + 1)).astype(np.float32), (w, h)))
    fine = rng.normal(0, 1, (h, w)).astype(np.float32)
    base += (7.0 * grain + 3.0 * fine)[..., None]
    # grass mowing stripes
    stripes = (np.floor(xs / 5.0) % 2)[None, :] * 10.0
    base[~on_track] += stripes[..., None] * np.array([0.3, 1.0, 0.4], np.float32)
    return base


def _paint_track_lines(base: np.ndarray, x0: float, x1: float, z0: float, res: float, lane_z: float) -> None:
    """Paint lane lines (5 cm white), the inside kerb and marks every 10 m onto a ground texture, in place.

    Parameters
    ----------
    base : ndarray of float32, shape (h, w, 3)
        Ground texture (rows along Z from ``z0``, columns along X from ``x0``, ``res`` metres per texel).
    x0, x1 : float
        X range of the texture, metres.
    z0 : float
        Z of the first texel row, metres.
    res : float
        Metres per texel.
    lane_z : float
        Z of the runner's lane centre.
    """
    w = base.shape[1]
    inner, _ = _lane_edges(lane_z)
    for k in range(_N_LANE_LINES):
        zl = inner + k * _LANE_W
        r0, r1 = int((zl - 0.025 - z0) / res), int((zl + 0.025 - z0) / res) + 1
        base[max(r0, 0) : max(r1, 0)] = (232, 232, 232)
    kr0, kr1 = int((inner - 0.3 - z0) / res), int((inner - 0.2 - z0) / res)
    base[kr0:kr1] = (210, 210, 215)
    # marks on the lane lines every 10 m
    for xm in np.arange(math.floor(x0 / 10) * 10, x1, 10.0):
        c0 = int((xm - x0) / res)
        if c0 < 20 or c0 > w - 20:
            continue
        for k in range(_N_LANE_LINES):
            zl = inner + k * _LANE_W
            rr = int((zl - z0) / res)
            base[max(rr - 15, 0) : rr + 15, max(c0 - 3, 0) : c0 + 3] = (235, 235, 235)
            base[max(rr - 4, 0) : rr + 4, max(c0 - 20, 0) : c0 + 20] = (40, 190, 230)


def _stand_texture(rng: np.random.Generator, ww: int, wh: int, wres: float) -> np.ndarray:
    """Paint the stand texture: a roof band, tiers of spectators, advertising boards at the bottom.

    Parameters
    ----------
    rng : numpy Generator
        Texture randomness (draws continue the ground's).
    ww, wh : int
        Texture width (along the wall) and height, texels.
    wres : float
        Metres per texel.

    Returns
    -------
    ndarray of uint8, shape (wh, ww, 3)
        BGR, rows downward from the top of the stand.
    """
    import cv2

    wall = np.empty((wh, ww, 3), np.float32)
    wall[:] = (70, 70, 78)
    board_rows = int(1.0 / wres)
    crowd = rng.integers(40, 220, (wh // 8 + 1, ww // 6 + 1, 3)).astype(np.float32)
    grey = crowd.mean(axis=2, keepdims=True)
    crowd = 0.5 * crowd + 0.5 * grey
    crowd = cv2.resize(crowd, (ww, wh), interpolation=cv2.INTER_NEAREST)
    crowd = cv2.GaussianBlur(crowd, (0, 0), 2.0)
    rows = np.arange(wh)
    tier = ((rows * wres) % 0.8) < 0.55
    crowd_mask = (rows > int(1.2 / wres)) & tier
    wall[crowd_mask] = 0.55 * crowd[crowd_mask] + 0.45 * wall[crowd_mask]
    roof = rows < int(1.0 / wres)
    wall[roof] = (150, 150, 155)
    # boards at the bottom: coloured panels 6 m long with white "lettering" blocks
    top_board = wh - board_rows
    palette = [(160, 60, 20), (20, 120, 220), (40, 40, 40), (30, 160, 60), (200, 200, 200), (30, 30, 170)]
    for j, c0 in enumerate(range(0, ww, int(6.0 / wres))):
        col = palette[int(rng.integers(len(palette)))] if j % 2 else palette[j % len(palette)]
        wall[top_board:, c0 : c0 + int(6.0 / wres)] = col
        for q in range(4):
            lx = c0 + int((0.6 + q * 1.3) / wres)
            ink = (235, 235, 235) if sum(col) < 400 else (30, 30, 30)
            wall[top_board + 10 : wh - 10, lx : lx + int(0.9 / wres)] = ink
    wall += rng.normal(0, 5, (wh, ww, 1)).astype(np.float32)
    return np.clip(wall, 0, 255).astype(np.uint8)


def _stand_placement(view: str, x_range: tuple[float, float], x0: float, x1: float, lane_z: float,
                     wall_h: float, wall_len: float) -> tuple[np.ndarray, np.ndarray]:
    """World point of the stand texture's top-left texel and the unit vector along its columns.

    The stand faces the camera: across the far end of the straight for ``front``, on the runner's
    right for ``side_left``, else on the left (behind the runner as seen from the side).
    """
    if view == "front":
        # stand across the far end of the straight, behind the runner as seen from ahead
        return np.array([x_range[0] - 35.0, wall_h, lane_z - wall_len / 2]), np.array([0.0, 0.0, 1.0])
    if view == "side_left":
        return np.array([x1 + 30.0, wall_h, lane_z + 15.0]), np.array([-1.0, 0.0, 0.0])
    return np.array([x0 - 30.0, wall_h, lane_z - 15.0]), np.array([1.0, 0.0, 0.0])


def build_scene(x_range: tuple[float, float], lane_z: float, view: str, seed: int = 0) -> Scene:
    """Build the track, stand and sky textures for a run over ``x_range`` (lab X, metres).

    Parameters
    ----------
    x_range : tuple of float
        Lowest and highest X the camera may see near the runner.
    lane_z : float
        Z of the runner's lane centre.
    view : str
        Camera view (decides where the stand is).
    seed : int
        Texture randomness.

    Returns
    -------
    Scene
    """
    rng = np.random.default_rng(seed)
    res = 0.02
    x0 = x_range[0] - 45.0
    x1 = x_range[1] + 45.0
    z0, z1 = lane_z - 16.0, lane_z + 16.0
    w = int((x1 - x0) / res)
    h = int((z1 - z0) / res)
    zs = z0 + (np.arange(h) + 0.5) * res
    xs = x0 + (np.arange(w) + 0.5) * res
    base = _track_surface(rng, xs, zs, lane_z)
    _paint_track_lines(base, x0, x1, z0, res, lane_z)
    ground = np.clip(base, 0, 255).astype(np.uint8)

    wres = 0.03
    wall_h = 9.0
    wall_len = (x1 - x0) + 60.0
    wall_img = _stand_texture(rng, int(wall_len / wres), int(wall_h / wres), wres)
    origin, u = _stand_placement(view, x_range, x0, x1, lane_z, wall_h, wall_len)
    return Scene(
        ground=ground,
        ground_origin=(x0, z0),
        ground_res=res,
        wall=wall_img,
        wall_origin=origin,
        wall_u=u,
        wall_res=wres,
        wall_height=wall_h,
        sky_top=(225, 170, 120),
        sky_bottom=(240, 215, 190),
    )


def _warp_rows(tex: np.ndarray, M: np.ndarray, W: int, r0: int, r1: int, border: int) -> np.ndarray:
    """Warp ``tex`` by homography ``M`` (texel -> image pixel) into image rows r0..r1 only."""
    import cv2

    shift = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, -float(r0)], [0.0, 0.0, 1.0]])
    return cv2.warpPerspective(tex, shift @ M, (W, r1 - r0), flags=cv2.INTER_LINEAR, borderMode=border)


def _wall_line_y(scene: Scene, cam: Camera, height_m: float) -> np.ndarray:
    """Image row, per column, of the horizontal wall line at ``height_m`` (shape (W,))."""
    K, R, C = cam.K, cam.R[0], cam.C[0]
    U = scene.wall_u
    a = scene.wall_origin * np.array([1.0, 0.0, 1.0]) + np.array([0.0, height_m, 0.0])
    pts = []
    for s in (-200.0, 200.0):
        pw = a + U * ((C - a) @ U + s)
        pc = R @ (pw - C)
        if pc[2] <= 0.01:
            pw = a + U * ((C - a) @ U + s * 0.05)
            pc = R @ (pw - C)
        pts.append((K[0, 0] * pc[0] / pc[2] + K[0, 2], K[1, 1] * pc[1] / pc[2] + K[1, 2]))
    (xa, ya), (xb, yb) = pts
    xs = np.arange(cam.width, dtype=np.float64)
    if abs(xb - xa) < 1e-9:
        return np.full(cam.width, ya)
    return ya + (xs - xa) * (yb - ya) / (xb - xa)


def _render_background(scene: Scene, cam: Camera) -> np.ndarray:
    """Background image (H, W, 3) uint8 BGR for a one-frame camera: sky, stand, ground."""
    import cv2

    W, H = cam.width, cam.height
    K, R, C = cam.K, cam.R[0], cam.C[0]
    P = K @ R
    key = (W, H)
    if key not in scene.cache:
        ty = np.linspace(0, 1, H, dtype=np.float32)[:, None, None]
        sky = np.array(scene.sky_top, np.float32) * (1 - ty) + np.array(scene.sky_bottom, np.float32) * ty
        scene.cache[key] = np.ascontiguousarray(sky.repeat(W, 1).astype(np.uint8))
    img = scene.cache[key].copy()
    rows = np.arange(H, dtype=np.float64)[:, None]
    base_y = _wall_line_y(scene, cam, 0.0)
    top_y = _wall_line_y(scene, cam, scene.wall_height)
    # stand: texel (u, v) -> origin + u*res*U - v*res*Y
    U = scene.wall_u
    r0 = int(np.clip(np.floor(top_y.min()), 0, H))
    r1 = int(np.clip(np.ceil(base_y.max()) + 1, 0, H))
    if r1 > r0:
        M_wall = P @ np.stack([U * scene.wall_res, np.array([0.0, -scene.wall_res, 0.0]), scene.wall_origin - C], 1)
        wall = _warp_rows(scene.wall, M_wall, W, r0, r1, cv2.BORDER_CONSTANT)
        rr = rows[r0:r1]
        m = (rr >= top_y[None, :]) & (rr < base_y[None, :])
        img[r0:r1] = np.where(m[..., None], wall, img[r0:r1])
    # ground: texel (u, v) -> (x0 + u*res, 0, z0 + v*res)
    g0 = int(np.clip(np.floor(base_y.min()), 0, H))
    if g0 < H:
        x0, z0 = scene.ground_origin
        res = scene.ground_res
        M_g = P @ np.stack([np.array([res, 0.0, 0.0]), np.array([0.0, 0.0, res]), np.array([x0, 0.0, z0]) - C], 1)
        ground = _warp_rows(scene.ground, M_g, W, g0, H, cv2.BORDER_REPLICATE)
        m = rows[g0:] >= base_y[None, :]
        img[g0:] = np.where(m[..., None], ground, img[g0:])
    return img


# --------------------------------------------------------------------------- body solids

# colours, BGR
SKIN = (105, 140, 196)
SKIN_DARK = (92, 125, 180)
SHIRT = (170, 80, 30)
SHIRT_DARK = (150, 68, 24)
SHORTS = (40, 36, 34)
SHORTS_DARK = (32, 29, 27)
SHOE = (40, 140, 245)
SHOE_DARK = (30, 120, 220)
SOLE = (235, 235, 235)
HAIR = (25, 30, 40)
EYE = (35, 30, 30)
LIP = (90, 95, 160)


@dataclass(frozen=True)
class Solid:
    """A tapered capsule: segment p0-p1 (lab metres) with radii r0, r1 (metres) and a BGR colour."""

    p0: np.ndarray
    p1: np.ndarray
    r0: float
    r1: float
    color: tuple[int, int, int]


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n > 1e-12 else v * 0.0


def _trunk_solids(g: dict[str, np.ndarray], s: float, mid_hip: np.ndarray, mid_sh: np.ndarray,
                  trunk_up: np.ndarray) -> list[Solid]:
    """Pelvis band, central torso and left/right torso sides (so the trunk is wider than deep from any view)."""
    out = [
        Solid(g["left_hip"] + 0.03 * s * trunk_up, g["right_hip"] + 0.03 * s * trunk_up, 0.112 * s, 0.112 * s, SHORTS),
        Solid(mid_hip + 0.07 * s * trunk_up, mid_sh - 0.06 * s * trunk_up, 0.118 * s, 0.128 * s, SHIRT),
    ]
    for nm, col in (("left", SHIRT_DARK), ("right", SHIRT)):
        hp = 0.55 * g[f"{nm}_hip"] + 0.45 * mid_hip + 0.12 * s * trunk_up
        sp = 0.6 * g[f"{nm}_shoulder"] + 0.4 * mid_sh - 0.07 * s * trunk_up
        out.append(Solid(hp, sp, 0.095 * s, 0.10 * s, col))
    return out


def _head_solids(g: dict[str, np.ndarray], s: float, mid_sh: np.ndarray, trunk_up: np.ndarray) -> list[Solid]:
    """Neck, head, jaw, hair, nose, eyes, brows, ears and mouth, oriented by the ears and the nose."""
    ear_mid = 0.5 * (g["left_ear"] + g["right_ear"])
    head_fwd = g["nose"] - ear_mid
    head_right = _unit(g["right_ear"] - g["left_ear"])
    head_up = _unit(np.cross(head_right, head_fwd))
    head_fwd = _unit(np.cross(head_up, head_right))
    out: list[Solid] = []
    add = out.append
    add(Solid(mid_sh - 0.02 * s * trunk_up, ear_mid - 0.035 * s * head_up, 0.052 * s, 0.05 * s, SKIN))
    hc = ear_mid + 0.004 * s * head_fwd
    add(Solid(hc - 0.035 * s * head_up, hc + 0.04 * s * head_up, 0.086 * s, 0.083 * s, SKIN))
    # jaw / chin
    add(Solid(hc - 0.05 * s * head_up + 0.03 * s * head_fwd, hc - 0.02 * s * head_up + 0.04 * s * head_fwd, 0.06 * s,
              0.06 * s, SKIN))
    add(Solid(hc - 0.012 * s * head_fwd + 0.03 * s * head_up, hc - 0.02 * s * head_fwd + 0.058 * s * head_up,
              0.087 * s, 0.08 * s, HAIR))
    add(Solid(g["nose"] - 0.02 * s * head_fwd + 0.012 * s * head_up, g["nose"] - 0.004 * s * head_fwd, 0.011 * s,
              0.014 * s, SKIN))
    for nm in ("left", "right"):
        add(Solid(g[f"{nm}_eye"] - 0.002 * s * head_fwd, g[f"{nm}_eye"], 0.0085 * s, 0.0085 * s, EYE))
        add(Solid(g[f"{nm}_eye"] + 0.013 * s * head_up - 0.004 * s * head_fwd,
                  g[f"{nm}_eye_outer"] + 0.014 * s * head_up - 0.004 * s * head_fwd, 0.005 * s, 0.005 * s, HAIR))
        add(Solid(g[f"{nm}_ear"] - 0.01 * s * head_up, g[f"{nm}_ear"] + 0.012 * s * head_up, 0.014 * s, 0.014 * s,
                  SKIN_DARK))
    add(Solid(g["mouth_left"] - 0.003 * s * head_fwd, g["mouth_right"] - 0.003 * s * head_fwd, 0.006 * s, 0.006 * s,
              LIP))
    return out


def _limb_solids(g: dict[str, np.ndarray], s: float, nm: str, dark: bool, trunk_up: np.ndarray) -> list[Solid]:
    """One side's leg (shorts, thigh, calf, shoe with sole) and arm (sleeve, upper arm, forearm, hand, thumb).

    ``dark`` picks the shaded colours (for the far side).
    """
    skin = SKIN_DARK if dark else SKIN
    shorts = SHORTS_DARK if dark else SHORTS
    shoe = SHOE_DARK if dark else SHOE
    shirt = SHIRT_DARK if dark else SHIRT
    out: list[Solid] = []
    add = out.append
    hip, knee, ankle = g[f"{nm}_hip"], g[f"{nm}_knee"], g[f"{nm}_ankle"]
    heel, toe = g[f"{nm}_heel"], g[f"{nm}_foot_index"]
    # thigh: shorts then skin
    mid = hip + 0.4 * (knee - hip)
    add(Solid(hip, mid, 0.092 * s, 0.080 * s, shorts))
    add(Solid(mid, knee, 0.078 * s, 0.055 * s, skin))
    # shank with a calf
    calf = knee + 0.35 * (ankle - knee)
    add(Solid(knee, calf, 0.052 * s, 0.056 * s, skin))
    add(Solid(calf, ankle, 0.054 * s, 0.034 * s, skin))
    # shoe: sole line heel -> toe, foot up from the ankle
    d = _unit(toe - heel)
    fu = _unit((ankle - heel) - ((ankle - heel) @ d) * d)
    # (low-cut spikes: the collar stays below the ankle joint so the ankle shows)
    add(Solid(heel + 0.025 * s * d + 0.022 * s * fu, toe - 0.03 * s * d + 0.018 * s * fu, 0.042 * s, 0.03 * s,
              shoe))
    add(Solid(heel + 0.02 * s * d + 0.035 * s * fu, ankle - 0.012 * s * fu, 0.042 * s, 0.036 * s, shoe))
    add(Solid(heel + 0.02 * s * d + 0.004 * s * fu, toe - 0.025 * s * d + 0.004 * s * fu, 0.02 * s, 0.014 * s,
              SOLE))
    # arm
    sh, el, wr = g[f"{nm}_shoulder"], g[f"{nm}_elbow"], g[f"{nm}_wrist"]
    add(Solid(sh - 0.01 * s * trunk_up, sh + 0.2 * (el - sh), 0.058 * s, 0.052 * s, shirt))
    add(Solid(sh + 0.15 * (el - sh), el, 0.05 * s, 0.038 * s, skin))
    add(Solid(el, wr, 0.04 * s, 0.028 * s, skin))
    tip = 0.5 * (g[f"{nm}_index"] + g[f"{nm}_pinky"])
    add(Solid(wr, tip, 0.03 * s, 0.027 * s, skin))
    add(Solid(wr + 0.3 * (g[f"{nm}_thumb"] - wr), g[f"{nm}_thumb"], 0.012 * s, 0.01 * s, skin))
    return out


def body_solids(j: np.ndarray, height_m: float) -> list[Solid]:
    """Solids of one body pose.

    Parameters
    ----------
    j : ndarray, shape (33, 3)
        BlazePose-named joints, lab metres.
    height_m : float
        Standing height (scales widths).

    Returns
    -------
    list of Solid
        Trunk, head, then the left (darker) and right limbs.
    """
    s = height_m / 1.8
    g = {name: j[i] for name, i in INDEX.items()}
    mid_hip = 0.5 * (g["left_hip"] + g["right_hip"])
    mid_sh = 0.5 * (g["left_shoulder"] + g["right_shoulder"])
    trunk_up = _unit(mid_sh - mid_hip)
    out = _trunk_solids(g, s, mid_hip, mid_sh, trunk_up) + _head_solids(g, s, mid_sh, trunk_up)
    for nm, dark in (("left", True), ("right", False)):
        out += _limb_solids(g, s, nm, dark, trunk_up)
    return out


def _project_solids(solids: list[Solid], cam: Camera) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Project the solids' end points and radii into a one-frame camera.

    Parameters
    ----------
    solids : list of Solid
        S capsules.
    cam : Camera
        One-frame camera.

    Returns
    -------
    (xy, depth, rho) or None
        End points (S, 2, 2) pixels, their depths (S, 2) metres and radii (S, 2) pixels; None when
        any end point is (nearly) behind the camera or does not project to a finite pixel.
    """
    f = cam.K[0, 0]
    pts = np.stack([np.stack([sd.p0, sd.p1]) for sd in solids])  # (S, 2, 3)
    xy, depth = cam.project(pts.reshape(1, -1, 3))
    xy = xy[0].reshape(-1, 2, 2)
    depth = depth[0].reshape(-1, 2)
    if np.any(depth <= 0.05) or not np.all(np.isfinite(xy)):
        return None
    radii = np.array([[sd.r0, sd.r1] for sd in solids])
    return xy, depth, f * radii / depth


def _body_box(xy: np.ndarray, rho: np.ndarray, width: int, height: int) -> tuple[int, int, int, int] | None:
    """Pixel box ``(x0, y0, x1, y1)`` (end exclusive) holding every capsule, clipped to the image; None if empty."""
    lo = np.floor(np.min(xy - rho[..., None], axis=(0, 1))).astype(int) - 2
    hi = np.ceil(np.max(xy + rho[..., None], axis=(0, 1))).astype(int) + 3
    x0, y0 = max(lo[0], 0), max(lo[1], 0)
    x1, y1 = min(hi[0], width), min(hi[1], height)
    if x1 <= x0 or y1 <= y0:
        return None
    return x0, y0, x1, y1


def _capsule_shade(dx: np.ndarray, dy: np.ndarray, rr: np.ndarray, nz: np.ndarray, light: np.ndarray,
                   color: tuple[int, int, int]) -> np.ndarray:
    """Colour (h, w, 3) float32 of a capsule's pixels: Lambert, a soft highlight and a darker rim.

    Parameters
    ----------
    dx, dy : ndarray, shape (h, w)
        Pixel offsets from the capsule's axis, pixels.
    rr : ndarray, shape (h, w)
        Capsule radius at each pixel, pixels.
    nz : ndarray, shape (h, w)
        Surface normal's component toward the camera (0 at the outline, 1 on the axis).
    light : ndarray, shape (3,)
        Unit direction toward the light, camera coordinates.
    color : tuple of int
        BGR base colour.
    """
    inv = 1.0 / np.maximum(rr, 1e-6)
    nx, ny, nzz = dx * inv, dy * inv, -nz
    lam = np.clip(nx * light[0] + ny * light[1] + nzz * light[2], 0.0, 1.0)
    # view vector is (0, 0, -1) in camera coords: half vector for a soft highlight
    hv = _unit(np.array([light[0], light[1], light[2] - 1.0]))
    spec = np.clip(nx * hv[0] + ny * hv[1] + nzz * hv[2], 0.0, 1.0) ** 24
    rim = (1.0 - nz) ** 3
    shade = 0.38 + 0.62 * lam - 0.12 * rim
    col = np.array(color, np.float32)
    return col[None, None, :] * shade[..., None] + (55.0 * spec)[..., None]


def _axis_fraction(qx: np.ndarray, qy: np.ndarray, ax: float, ay: float, shape: tuple[int, int]) -> np.ndarray:
    """Position of each pixel's foot on a capsule's axis, 0 at its first end to 1 at its second (float32).

    ``qx``, ``qy`` are pixel offsets from the first end, ``(ax, ay)`` the axis in pixels; an axis seen
    end-on (shorter than ~3e-5 pixels) gives 0 everywhere.
    """
    L2 = ax * ax + ay * ay
    if L2 > 1e-9:
        return np.clip((qx * ax + qy * ay) / L2, 0.0, 1.0)
    return np.zeros(shape, np.float32)


def _draw_capsule(roi: np.ndarray, zbuf: np.ndarray, box: tuple[int, int, int, int], sd: Solid, ends_xy: np.ndarray,
                  ends_rho: np.ndarray, ends_depth: np.ndarray, light: np.ndarray) -> None:
    """Draw one capsule into ``roi`` where it is nearer than ``zbuf``, anti-aliased, updating ``zbuf``, in place.

    Parameters
    ----------
    roi : ndarray of float32, shape (y1 - y0, x1 - x0, 3)
        The image inside ``box``.
    zbuf : ndarray of float32, shape (y1 - y0, x1 - x0)
        Depth buffer of ``roi``, metres (inf where empty).
    box : tuple of int
        ``(x0, y0, x1, y1)``: where ``roi`` sits in the image, pixels.
    sd : Solid
        The capsule (world radii and colour).
    ends_xy : ndarray, shape (2, 2)
        Its end points, pixels.
    ends_rho : ndarray, shape (2,)
        Its end radii, pixels.
    ends_depth : ndarray, shape (2,)
        Depths of its end points, metres.
    light : ndarray, shape (3,)
        Unit direction toward the light, camera coordinates.
    """
    x0, y0, x1, y1 = box
    p0, p1 = ends_xy
    r0, r1 = ends_rho
    bx0 = max(math.floor(min(p0[0] - r0, p1[0] - r1)) - 1, x0)
    by0 = max(math.floor(min(p0[1] - r0, p1[1] - r1)) - 1, y0)
    bx1 = min(math.ceil(max(p0[0] + r0, p1[0] + r1)) + 2, x1)
    by1 = min(math.ceil(max(p0[1] + r0, p1[1] + r1)) + 2, y1)
    if bx1 <= bx0 or by1 <= by0:
        return
    gx = np.arange(bx0, bx1, dtype=np.float32)[None, :]
    gy = np.arange(by0, by1, dtype=np.float32)[:, None]
    ax, ay = float(p1[0] - p0[0]), float(p1[1] - p0[1])
    qx, qy = gx - float(p0[0]), gy - float(p0[1])
    tpar = _axis_fraction(qx, qy, ax, ay, (by1 - by0, bx1 - bx0))
    dx = qx - tpar * ax
    dy = qy - tpar * ay
    dist = np.sqrt(dx * dx + dy * dy)
    rr = float(r0) + tpar * float(r1 - r0)
    cover = np.clip(rr - dist + 0.5, 0.0, 1.0)
    inside = cover > 0
    if not np.any(inside):
        return
    u = np.clip(dist / np.maximum(rr, 1e-6), 0.0, 1.0)
    nz = np.sqrt(np.maximum(1.0 - u * u, 0.0))
    wr = sd.r0 + tpar * (sd.r1 - sd.r0)
    z = ends_depth[0] + tpar * (ends_depth[1] - ends_depth[0]) - wr * nz
    sl = (slice(by0 - y0, by1 - y0), slice(bx0 - x0, bx1 - x0))
    zb = zbuf[sl]
    win = inside & (z < zb)
    if not np.any(win):
        return
    rgb = _capsule_shade(dx, dy, rr, nz, light, sd.color)
    a = np.where(win, cover, 0.0)[..., None]
    tgt = roi[sl]
    roi[sl] = tgt * (1 - a) + rgb * a
    zb[win & (cover > 0.5)] = z[win & (cover > 0.5)]


def render_body(
    img: np.ndarray, joints: np.ndarray, height_m: float, cam: Camera, light: np.ndarray | None = None
) -> np.ndarray:
    """Draw the body into ``img`` (H, W, 3) uint8 BGR, in place, and return it.

    Parameters
    ----------
    img : ndarray, shape (H, W, 3)
        Background to draw over.
    joints : ndarray, shape (33, 3)
        Pose, lab metres.
    height_m : float
        Standing height.
    cam : Camera
        One-frame camera.
    light : ndarray, shape (3,) or None
        Unit direction toward the light in the lab frame; None uses a high sun from the front-left.

    Returns
    -------
    ndarray
        ``img``.
    """
    solids = body_solids(joints, height_m)
    if light is None:
        light = _unit(np.array([0.35, 0.85, 0.4]))
    L = cam.R[0] @ light  # camera coordinates
    projected = _project_solids(solids, cam)
    if projected is None:
        return img
    xy, depth, rho = projected
    box = _body_box(xy, rho, img.shape[1], img.shape[0])
    if box is None:
        return img
    x0, y0, x1, y1 = box
    roi = img[y0:y1, x0:x1].astype(np.float32)
    zbuf = np.full(roi.shape[:2], np.inf, np.float32)
    for k, sd in enumerate(solids):
        _draw_capsule(roi, zbuf, box, sd, xy[k], rho[k], depth[k], L)
    img[y0:y1, x0:x1] = np.clip(roi, 0, 255).astype(np.uint8)
    return img


def render_shadow(img: np.ndarray, joints: np.ndarray, cam: Camera, height_m: float) -> np.ndarray:
    """Darken the ground under the body (soft shadows of the pelvis and the feet), in place."""
    import cv2

    s = height_m / 1.8
    mid_hip = 0.5 * (joints[INDEX["left_hip"]] + joints[INDEX["right_hip"]])
    spots = [(mid_hip, 0.30 * s, 0.12 * s, 0.35)]
    for nm in ("left", "right"):
        foot = 0.5 * (joints[INDEX[f"{nm}_heel"]] + joints[INDEX[f"{nm}_foot_index"]])
        hgt = max(float(foot[1]), 0.0)
        spots.append((foot, 0.15 * s, 0.06 * s, 0.45 * math.exp(-hgt / 0.15)))
    H, W = img.shape[:2]
    ang = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    polys = []
    for c, ax_len, ax_w, strength in spots:
        ring = np.stack([c[0] + ax_len * np.cos(ang), np.zeros_like(ang), c[2] + ax_w * np.sin(ang)], -1)
        xy, dep = cam.project(ring[None])
        if np.all(dep > 0.1) and np.all(np.isfinite(xy)):
            polys.append((xy[0], strength))
    if not polys:
        return img
    sigma = max(2.0, 0.004 * W)
    pad = int(3 * sigma) + 2
    allp = np.concatenate([p for p, _ in polys])
    x0 = int(np.clip(np.floor(allp[:, 0].min()) - pad, 0, W))
    x1 = int(np.clip(np.ceil(allp[:, 0].max()) + pad, 0, W))
    y0 = int(np.clip(np.floor(allp[:, 1].min()) - pad, 0, H))
    y1 = int(np.clip(np.ceil(allp[:, 1].max()) + pad, 0, H))
    if x1 <= x0 or y1 <= y0:
        return img
    shadow = np.zeros((y1 - y0, x1 - x0), np.float32)
    for poly, strength in polys:
        cv2.fillPoly(shadow, [np.round(poly - [x0, y0]).astype(np.int32)], (float(strength),))
    shadow = np.asarray(cv2.GaussianBlur(shadow, (0, 0), sigmaX=sigma), np.float32)
    roi = img[y0:y1, x0:x1].astype(np.float32) * (1.0 - shadow[..., None])
    img[y0:y1, x0:x1] = np.clip(roi, 0, 255).astype(np.uint8)
    return img


def render_frame(scene: Scene, cam: Camera, joints: np.ndarray, height_m: float) -> np.ndarray:
    """One frame (H, W, 3) uint8 BGR: background, shadow, body.

    Parameters
    ----------
    scene : Scene
        Background textures.
    cam : Camera
        One-frame camera.
    joints : ndarray, shape (33, 3)
        Pose, lab metres.
    height_m : float
        Standing height.

    Returns
    -------
    ndarray, shape (H, W, 3)
    """
    img = _render_background(scene, cam)
    render_shadow(img, joints, cam, height_m)
    render_body(img, joints, height_m, cam)
    return img


def degrade(img: np.ndarray, rng: np.random.Generator, noise_sigma: float = 0.0, jpeg_quality: int | None = None,
            blur_px: float = 0.0) -> np.ndarray:
    """Camera imperfections: lens blur, sensor noise, JPEG-like compression.

    Parameters
    ----------
    img : ndarray, shape (H, W, 3) uint8
    rng : numpy Generator
    noise_sigma : float
        Gaussian noise standard deviation, grey levels.
    jpeg_quality : int or None
        Re-encode as JPEG at this quality (1-100); None skips it.
    blur_px : float
        Gaussian lens blur sigma, pixels.

    Returns
    -------
    ndarray, shape (H, W, 3) uint8
    """
    import cv2

    out = img
    if blur_px > 0:
        out = cv2.GaussianBlur(out, (0, 0), sigmaX=blur_px)
    if noise_sigma > 0:
        out = np.clip(out.astype(np.float32) + rng.normal(0, noise_sigma, out.shape), 0, 255).astype(np.uint8)
    if jpeg_quality is not None:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(jpeg_quality)])
        if ok:
            out = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return out
