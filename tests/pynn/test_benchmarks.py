"""The speed-at-scale benchmarks (``benchmarks/run_all.py``) run end to end at their smallest
sizes: every script, both backends, both Poisson styles and both thread counts, the stage
profile and the scaling plot. This checks the scripts, not the figures they print."""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.reference
@pytest.mark.skipif(importlib.util.find_spec("nest") is None, reason="NEST is not installed")
def test_every_benchmark_runs_at_its_smallest_size(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run_all.py"), "--tiny", "--out", str(tmp_path)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=3600)
    out = done.stdout
    assert done.returncode == 0, out[-3000:] + done.stderr[-4000:]
    for style in ("shared", "per-neuron"):
        assert f"Brunel {style} Poisson input, NE=80 NI=20" in out
    assert out.count("spikes identical for threads 1, 2: yes") == 2, out
    assert "largest difference" in out and "L23E" in out                      # microcircuit rates beside NEST's
    assert "compile: partition" in out and "run: emulate" in out and "peak resident memory" in out   # its profile
    assert (tmp_path / "scaling_tiny.png").stat().st_size > 1000
