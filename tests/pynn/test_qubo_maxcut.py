"""examples/qubo_maxcut.py: the Gset reader, random graphs, the command line, and the same script
on NEST (in its own process: two PyNN backends in one process share PyNN's global state)."""
import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from examples import qubo_maxcut

REPO = Path(__file__).resolve().parents[2]
PETERSEN_GSET = "10 15\n" + "".join(
    f"{u + 1} {v + 1} 1\n" for u, v in [(i, (i + 1) % 5) for i in range(5)] + [(i, i + 5) for i in range(5)]
    + [(5 + i, 5 + (i + 2) % 5) for i in range(5)])


def test_read_gset(tmp_path):
    path = tmp_path / "g.txt"
    path.write_text("4 3\n1 2 1\n2 3 -1\n4 1 2\n")
    edges, weights, n = qubo_maxcut.read_gset(path)
    assert n == 4
    np.testing.assert_array_equal(edges, [[0, 1], [1, 2], [3, 0]])
    np.testing.assert_array_equal(weights, [1, -1, 2])


@pytest.mark.parametrize("text, match", [("4\n1 2 1\n", "first line"), ("4 2\n1 2 1\n", "expected 2 lines"),
                                         ("3 1\n1 4 1\n", "1..3")])
def test_read_gset_rejects_bad_files(tmp_path, text, match):
    path = tmp_path / "g.txt"
    path.write_text(text)
    with pytest.raises(ValueError, match=match):
        qubo_maxcut.read_gset(path)


def test_random_graphs_have_the_stated_shape():
    edges, weights, n = qubo_maxcut.random_graph("3-regular", 40, 1)
    assert n == 40 and np.all(np.bincount(edges.ravel(), minlength=40) == 3)
    edges, weights, n = qubo_maxcut.random_graph("g1", 200, 1)
    assert len(edges) == round(0.06 * 200 * 199 / 2) and np.all(weights == 1)
    assert len({tuple(sorted(e)) for e in edges.tolist()}) == len(edges)


def test_command_line_finds_the_petersen_max_cut(tmp_path, capsys):
    graph, png = tmp_path / "petersen.txt", tmp_path / "cut.png"
    graph.write_text(PETERSEN_GSET)
    qubo_maxcut.main(["spinnaker2", str(graph), "--steps", "300", "--plot", str(png)])
    out = capsys.readouterr().out
    assert "best cut 12 " in out and "final cut" in out and png.stat().st_size > 1000


def test_good_cut_on_a_random_3_regular_graph():
    """100 nodes, 1,000 steps: the optimum of this graph is 138 (best of many SA reads)."""
    edges, weights, n = qubo_maxcut.random_graph("3-regular", 100, 1)
    cuts, info = qubo_maxcut.solve_maxcut("spinnaker2", edges, weights, n, steps=1000, seed=1)
    assert cuts.max() >= 137 and cuts.shape == (1000,)


@pytest.mark.reference
@pytest.mark.skipif(importlib.util.find_spec("nest") is None, reason="NEST is not installed")
def test_same_script_on_nest(tmp_path):
    graph, png = tmp_path / "petersen.txt", tmp_path / "cut.png"
    graph.write_text(PETERSEN_GSET)
    done = subprocess.run([sys.executable, "examples/qubo_maxcut.py", "nest", str(graph), "--steps", "300",
                           "--plot", str(png)], cwd=REPO, capture_output=True, text=True, timeout=600,
                          env={"PYTHONPATH": str(REPO), **{k: v for k, v in __import__("os").environ.items()
                                                          if k != "PYTHONPATH"}})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "best cut 12 " in done.stdout and png.stat().st_size > 1000
