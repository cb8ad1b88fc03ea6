"""How numba compiles and runs the kernels: where it caches them, which threads run them.

numba's on-disk cache checks only the source file of the function it compiled, not the files of
the functions that function calls, so a kernel that calls a changed model would load stale code.
Keying the cache directory by a hash of every source file in ``core`` makes any change start a
fresh cache. ``NUMBA_CACHE_DIR``, if set, is respected.

The parallel step loop runs on numba's ``workqueue`` threading layer: GNU OpenMP (numba's other
default here) aborts a process that forks after using it, which breaks ``multiprocessing`` in
user scripts and forking test harnesses. ``NUMBA_THREADING_LAYER``, if set, is respected.
"""
import hashlib
import os
from pathlib import Path

import numba

ROOT = Path(__file__).resolve().parent


def source_hash() -> str:
    digest = hashlib.sha1()
    for path in sorted(ROOT.rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return Path(os.environ["NUMBA_CACHE_DIR"])
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "pynn_spinnaker2" / f"numba-{source_hash()}"


CACHE_DIR = cache_dir()
try:
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    numba.config.CACHE_DIR = str(CACHE_DIR)
except OSError:          # read-only home: numba falls back to its own locations
    pass

if not os.environ.get("NUMBA_THREADING_LAYER"):
    numba.config.THREADING_LAYER = "workqueue"
