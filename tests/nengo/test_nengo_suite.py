"""nengo's own test suite against nengo_spinnaker2.Simulator, through nengo's pytest plugin.

The plugin selects the tests that take the ``Simulator`` fixture (560 in nengo 4.1) when
``nengo_simulator`` names another simulator; ``nengo_suite.ini`` beside this file configures it
and lists what is unsupported, with the reason. The suite runs in a subprocess (its plugin,
fixtures and ini keys must not meet this project's conftest) and must pass on at least 85% of
the selected tests, counting skipped ones as not passed.
"""
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

nengo = pytest.importorskip("nengo")
pytest.importorskip("pytest_rng")
pytest.importorskip("pytest_allclose")
pytest.importorskip("pytest_plt")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
REQUIRED = 0.85


def run_suite(tmp_path, *selection):
    site = Path(nengo.__file__).resolve().parents[1]
    report = tmp_path / "nengo_suite.xml"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    workers = ["-n", os.environ.get("NENGO_SUITE_WORKERS", "2")] if _xdist() else []
    # importlib mode leaves sys.path alone, so this checkout (first on PYTHONPATH) is what runs,
    # not a copy installed in site-packages, where nengo's tests live
    cmd = [sys.executable, "-m", "pytest", "-c", str(HERE / "nengo_suite.ini"), "--rootdir", str(site),
           "-p", "no:cacheprovider", "--import-mode=importlib", "-q", "--junitxml", str(report), *workers,
           "--pyargs", *selection]
    done = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True)
    if not report.exists():
        raise AssertionError(f"nengo's suite did not run:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return ET.parse(report).getroot(), done


def _xdist():
    try:
        import xdist  # noqa: F401
        return True
    except ImportError:
        return False


def outcomes(root):
    out = {}
    for case in root.iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        kind = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                kind = "failed"
            elif child.tag == "skipped":
                kind = "skipped"
        out[name] = kind
    return out


def check(tmp_path, selection, at_least):
    root, done = run_suite(tmp_path, selection)
    results = outcomes(root)
    passed = sum(1 for k in results.values() if k == "passed")
    failed = sorted(n for n, k in results.items() if k == "failed")
    ratio = passed / max(1, len(results))
    print(f"nengo's {selection} on nengo_spinnaker2: {passed} of {len(results)} passed ({100 * ratio:.1f}%)")
    print("failed:\n  " + "\n  ".join(failed))
    assert len(results) >= at_least, f"only {len(results)} of nengo's tests ran:\n{done.stdout[-2000:]}"
    assert ratio >= REQUIRED, f"{passed}/{len(results)} passed; failed: {failed}"


def test_nengo_suite_passes(tmp_path):
    """nengo's whole suite (its own slow-marked tests excepted, as nengo runs it by default):
    about 3 minutes on two cores."""
    check(tmp_path, "nengo", 500)
