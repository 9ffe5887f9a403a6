"""Pose cache: pose tracks keyed by clip content, pose options and software version.

Pose inference is the slow stage, so a track is stored once per (clip bytes, pose
options that change results, sprintbal version, cache format) and reused. A cache
that cannot be read or written never fails an analysis: a damaged entry is a miss,
an unwritable folder just means nothing is stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import zipfile
from pathlib import Path
from typing import Any

from sprintbal.config import PoseConfig
from sprintbal.errors import BadInputError, OutputError
from sprintbal.pose.track import PoseTrack

#: Bump when what a cached track means changes without a version bump (e.g. a fix in the estimator).
POSE_CACHE_VERSION = 1

_CHUNK = 1 << 20

_model_digests: dict[tuple[str, int, int], str] = {}


def clip_hash(path: Path) -> str:
    """Return the SHA-256 hex digest of a file's content, read in 1 MiB chunks.

    Parameters
    ----------
    path : Path
        The clip.

    Returns
    -------
    str
        64 lowercase hex digits.

    Raises
    ------
    BadInputError
        If the file cannot be read.
    """
    digest = hashlib.sha256()
    try:
        with open(Path(path), "rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return digest.hexdigest()


def _model_digest(model_path: Path | None) -> str | None:
    """SHA-256 of a ``.task`` model file (so replacing the file invalidates entries); memoised per size/mtime."""
    if model_path is None:
        return None
    try:
        st = Path(model_path).stat()
    except OSError:
        return None
    memo = (str(Path(model_path).resolve()), st.st_size, st.st_mtime_ns)
    if memo not in _model_digests:
        try:
            _model_digests[memo] = clip_hash(Path(model_path))
        except BadInputError:
            return None
    return _model_digests[memo]


def default_cache_dir() -> Path:
    """Return ``$SPRINTBAL_CACHE_DIR`` if set, else ``~/.cache/sprintbal/pose``."""
    env = os.environ.get("SPRINTBAL_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "sprintbal" / "pose"


class PoseCache:
    """A folder of pose tracks (``<key>.npz``).

    Parameters
    ----------
    root : Path or None
        Cache folder; None uses :func:`default_cache_dir` (read when the cache is made).
        Created on first write.
    """

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root).expanduser() if root is not None else default_cache_dir()

    def key(self, clip_hash: str, cfg: PoseConfig) -> str:
        """Return the entry key for a clip digest and pose options.

        Parameters
        ----------
        clip_hash : str
            :func:`clip_hash` of the clip.
        cfg : PoseConfig
            Pose options; only :meth:`PoseConfig.cache_key` matters, plus the
            content of a ``.task`` model file.

        Returns
        -------
        str
            64 lowercase hex digits.
        """
        from sprintbal import __version__

        payload: dict[str, Any] = {
            "clip": clip_hash,
            "pose": cfg.cache_key(),
            "model_sha256": _model_digest(cfg.model_path),
            "sprintbal": __version__,
            "cache_version": POSE_CACHE_VERSION,
        }
        blob = json.dumps(payload, sort_keys=True, default=str).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()

    def path(self, key: str) -> Path:
        """Return the file that holds entry ``key``."""
        return self.root / f"{key}.npz"

    def get(self, key: str) -> PoseTrack | None:
        """Return the cached track, or None on a miss or an unreadable/corrupt entry.

        A corrupt entry is removed (best effort) so the next :meth:`put` replaces it.
        """
        path = self.path(key)
        if not path.is_file():
            return None
        try:
            return PoseTrack.load(path)
        except (BadInputError, OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            # any damage (truncated zip, wrong arrays, another format version) is a miss
            with contextlib.suppress(OSError):
                path.unlink()
            return None

    def put(self, key: str, track: PoseTrack) -> bool:
        """Store ``track`` under ``key`` atomically.

        Returns
        -------
        bool
            True if stored; False if the cache folder is not writable (the
            analysis goes on without caching).
        """
        try:
            track.save(self.path(key))
        except (OutputError, OSError):  # an unwritable cache must not fail the analysis
            return False
        return True
