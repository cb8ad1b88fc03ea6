"""Prove that the tests catch known bugs: apply each ``tests/mutants/*.patch`` to a scratch copy
of the working tree and run the tests its header names ("Caught by:" lines); each must fail.

    python tests/mutants/check.py                 # every patch, its named tests
    python tests/mutants/check.py --suite         # also list every test of tests/ that catches it
    python tests/mutants/check.py NAME [NAME ...] # some patches

Every run uses a fresh NUMBA_CACHE_DIR: numba's on-disk cache does not notice that a function
called by a cached kernel changed in another file, so a stale cache would hide the mutant.
Exit status 1 if a patch no longer applies or survives a test that should catch it.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
IGNORE = shutil.ignore_patterns(".git", "__pycache__", ".pytest_cache", ".hypothesis", "mutants", "*.png")


def catchers(patch: Path) -> list[str]:
    return [t for line in patch.read_text().splitlines() if line.startswith("Caught by:")
            for t in line.split(":", 1)[1].split()]


def pytest(scratch: Path, args: list[str]) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(scratch), NUMBA_CACHE_DIR=tempfile.mkdtemp(prefix="numba-"))
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
           "-m", "not reference", "-rf", *args]
    try:
        return subprocess.run(cmd, cwd=scratch, env=env, capture_output=True, text=True, timeout=1800)
    finally:
        shutil.rmtree(env["NUMBA_CACHE_DIR"], ignore_errors=True)


def baseline(tests: list[str]) -> bool:
    """The catching tests must pass on the unmutated tree, or their failure proves nothing."""
    with tempfile.TemporaryDirectory(prefix="mutant-") as tmp:
        scratch = Path(tmp) / "repo"
        shutil.copytree(REPO, scratch, ignore=IGNORE)
        result = pytest(scratch, tests)
    if result.returncode:
        print("the catching tests fail on the unmutated tree:\n" + result.stdout[-3000:])
    return result.returncode == 0


def check(patch: Path, suite: bool) -> bool:
    named = catchers(patch)
    with tempfile.TemporaryDirectory(prefix="mutant-") as tmp:
        scratch = Path(tmp) / "repo"
        shutil.copytree(REPO, scratch, ignore=IGNORE)
        applied = subprocess.run(["patch", "-p1", "--batch", "--silent", "-i", str(patch)], cwd=scratch,
                                 capture_output=True, text=True)
        if applied.returncode:
            print(f"{patch.stem}: does not apply ({applied.stdout.strip() or applied.stderr.strip()})")
            return False
        ok = True
        for test in named:
            result = pytest(scratch, [test])
            caught = result.returncode == 1
            ok &= caught
            print(f"{patch.stem}: {'caught by' if caught else 'SURVIVES'} {test}"
                  + ("" if result.returncode in (0, 1) else f" (pytest exit {result.returncode})"))
        if not named:
            print(f"{patch.stem}: no 'Caught by:' line")
            ok = False
        if suite:
            result = pytest(scratch, ["tests"])
            failed = sorted({line.split()[1].split("[")[0] for line in result.stdout.splitlines()
                             if line.startswith("FAILED ")})
            print(f"{patch.stem}: the suite fails {len(failed)} test(s): " + (", ".join(failed) or "none"))
    return ok


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="patch names (default: all)")
    parser.add_argument("--suite", action="store_true", help="also run the whole suite on each mutant")
    args = parser.parse_args(argv)
    patches = sorted(HERE.glob("*.patch"))
    if args.names:
        patches = [p for p in patches if p.stem in args.names]
    if not baseline(sorted({t for p in patches for t in catchers(p)})):
        return 1
    results = [check(p, args.suite) for p in patches]
    print(f"{sum(results)} of {len(results)} mutants caught by every test that should catch them")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
