"""On-disk cache of travel-time matrices keyed by a hash of everything that affects them.

Each entry is ``<key>.npz`` (the minutes) plus ``<key>.json`` (zone and site ids, mode,
method); both are written to a temporary file and moved into place, so readers never see
half an entry. A damaged or mismatched entry is ignored and recomputed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from reconfig.inputs.atomic import atomic_file

CODE_VERSION = "travel-1"  # bump when a change to the code changes the numbers


def cache_dir() -> Path:
    """``$RECONFIG_CACHE`` or ``.cache/reconfig/travel`` under the working directory."""
    env = os.environ.get("RECONFIG_CACHE")
    return Path(env) if env else Path.cwd() / ".cache" / "reconfig" / "travel"


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def make_key(spec: dict[str, Any], arrays: list[np.ndarray], files: list[Path]) -> str:
    """Hash of the spec (JSON), the arrays (ids and coordinates) and the files' contents."""
    h = hashlib.sha256()
    h.update(json.dumps({"code": CODE_VERSION, **spec}, sort_keys=True, default=str).encode())
    for a in arrays:
        a = np.asarray(a)
        if a.dtype == object:
            h.update("\x1f".join(map(str, a)).encode())
        else:
            h.update(np.ascontiguousarray(a, dtype=float).tobytes())
        h.update(b"\x1e")
    for f in sorted(files):
        h.update(f.name.encode() + file_digest(f).encode())
    return h.hexdigest()[:32]


def load(key: str, zone_ids: np.ndarray, site_ids: np.ndarray, folder: Path | None = None) -> np.ndarray | None:
    """Cached minutes for `key`, or None when absent or not matching the ids."""
    folder = folder or cache_dir()
    try:
        meta = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        with np.load(folder / f"{key}.npz", allow_pickle=False) as z:
            minutes = z["minutes"]
    except (OSError, ValueError, KeyError):
        return None
    if (meta.get("zones") != [str(z) for z in zone_ids] or meta.get("sites") != [str(s) for s in site_ids]
            or minutes.shape != (len(zone_ids), len(site_ids))):
        return None
    return minutes


def store(key: str, minutes: np.ndarray, zone_ids: np.ndarray, site_ids: np.ndarray, info: dict[str, Any],
          folder: Path | None = None) -> None:
    """Write an entry atomically; failures to write (read-only disk…) only cost the reuse."""
    folder = folder or cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _atomic(folder / f"{key}.npz", lambda f: np.savez(f, minutes=minutes))
        meta = {**info, "zones": [str(z) for z in zone_ids], "sites": [str(s) for s in site_ids]}
        _atomic(folder / f"{key}.json", lambda f: f.write(json.dumps(meta).encode()))
    except OSError:
        pass


def _atomic(path: Path, write: Any) -> None:
    with atomic_file(path) as tmp, open(tmp, "wb") as f:
        write(f)
