"""PyNN 0.13.0's source distribution, which alone ships PyNN's backend-agnostic scenarios
(``test/system/scenarios``) and ``examples/`` (the wheel has neither).

Found, in order: ``$PYNN_SDIST`` (the .tar.gz, or a directory it was unpacked into); the cache
directory ``$XDG_CACHE_HOME/pynn_spinnaker2`` (default ``~/.cache/pynn_spinnaker2``), where it is
downloaded once with ``pip download pynn==0.13.0 --no-binary :all: --no-deps`` and unpacked.
Parallel test workers share the cache under a file lock. If it cannot be had, the error says
why and how to provide it: the tests that need it fail rather than being skipped.
"""
import fcntl
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "0.13.0"
ARCHIVE = f"pynn-{VERSION}.tar.gz"
UNPACKED = f"pynn-{VERSION}"


class SdistUnavailable(RuntimeError):
    pass


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "pynn_spinnaker2"


def sdist_root() -> Path:
    """The unpacked sdist's top directory (holding ``examples/`` and ``test/``)."""
    given = os.environ.get("PYNN_SDIST")
    if given:
        path = Path(given)
        if path.is_dir():
            return _checked(path / UNPACKED if (path / UNPACKED).is_dir() else path)
        if path.is_file():
            return _unpacked(path, cache_dir())
        raise SdistUnavailable(f"PYNN_SDIST={given} is neither the {ARCHIVE} file nor a directory")
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        archive = cache / ARCHIVE
        if not (cache / UNPACKED).is_dir() and not archive.is_file():
            _download(cache)
        return _unpacked(archive, cache)


def _download(cache: Path):
    command = [sys.executable, "-m", "pip", "download", f"pynn=={VERSION}", "--no-binary", ":all:",
               "--no-deps", "--quiet", "-d", str(cache)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as error:
        done = None
        reason = str(error)
    if done is None or done.returncode != 0 or not (cache / ARCHIVE).is_file():
        reason = reason if done is None else (done.stderr or done.stdout).strip()[-2000:]
        raise SdistUnavailable(
            f"PyNN {VERSION}'s sdist (needed for PyNN's own scenarios and examples) could not be "
            f"downloaded with `{' '.join(command[2:])}`: {reason}\nDownload {ARCHIVE} by other means "
            f"and set PYNN_SDIST to its path, or put it in {cache}.")


def _unpacked(archive: Path, cache: Path) -> Path:
    target = cache / UNPACKED
    if target.is_dir():
        return _checked(target)
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        try:
            os.rename(Path(tmp) / UNPACKED, target)
        except OSError:
            if not target.is_dir():          # another worker may have won the race
                raise
    return _checked(target)


def _checked(root: Path) -> Path:
    for needed in ("test/system/scenarios", "examples"):
        if not (root / needed).is_dir():
            raise SdistUnavailable(f"{root} is not PyNN {VERSION}'s unpacked sdist: no {needed}/")
    return root
