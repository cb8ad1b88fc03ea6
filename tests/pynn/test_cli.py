"""``pynn-spinnaker2 run SCRIPT [ARGS]`` and the import aliases ``pyNN.spinnaker2`` and
``pyNN.spiNNaker``, in fresh interpreters as a user would meet them."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def python(args, cwd, extra_path=()):
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=os.pathsep.join(
        [*map(str, extra_path), str(REPO), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


SCRIPT = """
import sys
import importlib
print("argv", sys.argv[1:])
print("name", __name__)
print("path0", sys.path[0])
for alias in ("pyNN.spinnaker2", "pyNN.spiNNaker"):
    print(alias, importlib.import_module(alias).__name__)
from pyNN.utility import get_simulator
sim, options = get_simulator(("--flag", "a flag", {"action": "store_true"}))
print("simulator", sim.__name__, options.flag, sim.name())
"""


def test_run_command_runs_a_script_as_python_would(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(SCRIPT)
    done = python(["-m", "pynn_spinnaker2", "run", str(script), "spinnaker2", "--flag"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "argv ['spinnaker2', '--flag']" in out and "name __main__" in out
    assert f"path0 {tmp_path}" in out
    assert "pyNN.spinnaker2 pynn_spinnaker2" in out and "pyNN.spiNNaker pynn_spinnaker2" in out
    assert "simulator pynn_spinnaker2 True SpiNNaker2" in out


def test_run_command_passes_on_the_exit_status_and_missing_scripts(tmp_path):
    script = tmp_path / "exits.py"
    script.write_text("import sys\nsys.exit(int(sys.argv[1]))\n")
    assert python(["-m", "pynn_spinnaker2", "run", str(script), "3"], cwd=tmp_path).returncode == 3
    done = python(["-m", "pynn_spinnaker2", "run", str(tmp_path / "nope.py")], cwd=tmp_path)
    assert done.returncode != 0 and "no such script" in done.stderr
    done = python(["-m", "pynn_spinnaker2"], cwd=tmp_path)
    assert done.returncode == 2 and "run" in done.stderr


def site_with_pth(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "pynn_spinnaker2_aliases.pth").write_text((REPO / "pynn_spinnaker2_aliases.pth").read_text())
    return site


START_UP = "import site, sys, runpy; site.addsitedir({site!r}); sys.argv = {argv!r}; runpy.run_path(sys.argv[0], run_name='__main__')"


def test_installed_pth_makes_python_script_spinnaker2_work(tmp_path):
    """What the installed .pth does at start-up (site processes it as at interpreter start):
    ``python script.py spinnaker2`` finds the backend through pyNN.utility.get_simulator."""
    script = tmp_path / "script.py"
    script.write_text(SCRIPT)
    site = site_with_pth(tmp_path)
    done = python(["-c", START_UP.format(site=str(site), argv=[str(script), "spinnaker2"])], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "simulator pynn_spinnaker2 False SpiNNaker2" in done.stdout


def test_pth_leaves_pyNN_spiNNaker_to_an_installed_spynnaker(tmp_path):
    """Where sPyNNaker is installed, ``import pyNN.spiNNaker`` stays sPyNNaker's (PyNN's own
    pyNN/spiNNaker.py re-exports spynnaker.pyNN); ``pynn-spinnaker2 run`` claims it anyway."""
    fake = tmp_path / "fake"
    (fake / "spynnaker" / "pyNN").mkdir(parents=True)
    (fake / "spynnaker" / "__init__.py").write_text("")
    (fake / "spynnaker" / "pyNN" / "__init__.py").write_text("WHO = 'sPyNNaker'\n")
    script = tmp_path / "s1.py"
    script.write_text("import pyNN.spiNNaker as sim\nprint('who', getattr(sim, 'WHO', sim.__name__ if hasattr(sim, 'setup') and hasattr(sim, 'mapping') else '?'))\n")
    site = site_with_pth(tmp_path)
    done = python(["-c", START_UP.format(site=str(site), argv=[str(script)])], cwd=tmp_path, extra_path=[fake])
    assert done.returncode == 0, done.stderr
    assert "who sPyNNaker" in done.stdout
    done = python(["-m", "pynn_spinnaker2", "run", str(script)], cwd=tmp_path, extra_path=[fake])
    assert done.returncode == 0, done.stderr
    assert "who pynn_spinnaker2" in done.stdout


def test_aliases_are_the_same_module_not_a_copy(tmp_path):
    code = textwrap.dedent("""
        import pynn_spinnaker2_aliases
        pynn_spinnaker2_aliases.install()
        import pynn_spinnaker2, pyNN.spinnaker2, pyNN.spiNNaker
        import pyNN.spinnaker2.simulator as s
        assert pyNN.spinnaker2 is pynn_spinnaker2 is pyNN.spiNNaker
        assert s is pynn_spinnaker2.simulator and s.state is pynn_spinnaker2.state
        assert pynn_spinnaker2.__spec__.name == "pynn_spinnaker2"
        try:
            import pyNN.spinnaker2.nothing_here
        except ModuleNotFoundError as error:
            print("missing", error.name)
    """)
    done = python(["-c", code], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "missing pyNN.spinnaker2.nothing_here" in done.stdout


@pytest.mark.slow
def test_pip_install_gives_the_command_and_the_aliases(tmp_path):
    """A real install into a fresh virtual environment (sharing this one's packages)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    bin_dir = venv / "bin"
    done = subprocess.run([str(bin_dir / "pip"), "install", "--no-deps", "--quiet", str(REPO)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    script = tmp_path / "script.py"
    script.write_text(SCRIPT)
    env = dict(os.environ, MPLBACKEND="Agg")
    env.pop("PYTHONPATH", None)
    done = subprocess.run([str(bin_dir / "python"), str(script), "spinnaker2"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "simulator pynn_spinnaker2 False SpiNNaker2" in done.stdout
    done = subprocess.run([str(bin_dir / "pynn-spinnaker2"), "run", str(script), "spinnaker2"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "pyNN.spiNNaker pynn_spinnaker2" in done.stdout, done.stderr
