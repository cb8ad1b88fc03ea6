"""Run scripts and PyNN scenarios each in a process of its own, without paying for a fresh
interpreter each time.

PyNN scenarios and example scripts leak state into each other (PyNN's class-level counters,
the backend's simulation state), so each needs its own process; but a fresh interpreter spends
about two seconds of CPU importing PyNN, neo, matplotlib and loading the emulator's compiled
kernels. The server here is a fresh interpreter that does that once, runs nothing else, and
forks one child per request: each child starts from that same clean, warmed-up state.

Protocol: one JSON request per line on the server's stdin, ``{"kind": "scenario" | "script",
"args": [...], "cwd": dir}``; the child writes its stdout and stderr to ``cwd`` and its outcome
to ``cwd/outcome.json``; the server answers with one line when the child has ended.
"""
import json
import os
import signal
import subprocess
import sys
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TIME_LIMIT_S = 900


class ForkServer:
    """The test side: starts the server, sends requests, reads outcomes."""

    def __init__(self):
        env = dict(os.environ, MPLBACKEND="Agg",
                   PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
        self.process = subprocess.Popen([sys.executable, __file__], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, env=env, cwd=REPO)
        ready = self.process.stdout.readline()
        if ready.strip() != "ready":
            raise RuntimeError(f"the fork server did not start: {ready!r}")

    def run(self, kind, args, cwd):
        """Run one request in its own process; return (outcome dict, stdout, stderr)."""
        cwd = Path(cwd)
        self.process.stdin.write(json.dumps({"kind": kind, "args": [str(a) for a in args], "cwd": str(cwd)}) + "\n")
        self.process.stdin.flush()
        status = self.process.stdout.readline()
        if not status:
            raise RuntimeError("the fork server died")
        out, err = ((cwd / name).read_text(errors="replace") if (cwd / name).exists() else ""
                    for name in ("stdout.txt", "stderr.txt"))
        try:
            outcome = json.loads((cwd / "outcome.json").read_text())
        except (OSError, json.JSONDecodeError):
            outcome = {"outcome": "failed", "error": "Crash", "message": f"child ended with {status.strip()}"}
        return outcome, out, err

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=60)


# -- the server -------------------------------------------------------------------------------
def _warm_up():
    """Import what scripts import and load the emulator's compiled kernels, touching no PyNN
    state: a tiny application graph of every model, compiled and run for a step."""
    import matplotlib
    import numpy as np
    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    import neo  # noqa: F401
    import pyNN.utility.plotting  # noqa: F401

    import pynn_spinnaker2  # noqa: F401
    import pynn_spinnaker2_aliases  # noqa: F401
    from core import Emulator, Network, Population, Projection, compile_network
    from core.models import MODELS

    network = Network(timestep=0.1)
    for name, spec in MODELS.items():
        extra = {"spike_times": [[1.0]]} if name == "SpikeSourceArray" else {}
        network.add_population(Population(name, name, 1, **extra))
    # a QUBONeuron takes input only from its own population (and whole-number weights)
    targets = [i for i, p in enumerate(network.populations) if not p.spec.is_source and not p.spec.recurrent_only]
    for pre in range(len(network.populations)):
        for post in targets:
            network.add_projection(Projection(f"{pre}-{post}", pre, post, [0], [0], 0.1, 1, 0))
    emulator = Emulator(compile_network(network), seed=1)
    emulator.set_playback(0, np.zeros((2, emulator.values.play.shape[1]), np.float32))   # ValuePlayback's table
    emulator.run(2)


def _child(request):
    cwd = Path(request["cwd"])
    os.chdir(cwd)
    for fd, name in ((1, "stdout.txt"), (2, "stderr.txt")):
        handle = os.open(cwd / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(handle, fd)
        os.close(handle)
    sys.stdout = os.fdopen(1, "w", buffering=1)
    sys.stderr = os.fdopen(2, "w", buffering=1)
    signal.alarm(TIME_LIMIT_S)
    try:
        outcome = _run(request["kind"], request["args"])
    except BaseException as error:          # pytest's Skipped is a BaseException
        traceback.print_exc()
        outcome = {"outcome": "failed", "error": type(error).__name__,
                   "message": " ".join(str(error).split())[:2000]}
    sys.stdout.flush()
    sys.stderr.flush()
    (cwd / "outcome.json").write_text(json.dumps(outcome))


def _run(kind, args):
    import importlib

    if kind == "scenario":                   # args: parent of `scenarios`, module, function
        parent, module, function = args
        sys.path.insert(0, parent)
        import pynn_spinnaker2_aliases
        pynn_spinnaker2_aliases.install()
        sim = importlib.import_module("pyNN.spinnaker2")       # as PyNN's scenario fixture does
        getattr(importlib.import_module(f"scenarios.{module}"), function)(sim)
        return {"outcome": "passed"}
    if kind == "script":                     # args: script, its arguments (pynn-spinnaker2 run)
        from pynn_spinnaker2 import cli
        try:
            cli.run(args[0], args[1:])
        except SystemExit as exit:
            if exit.code not in (None, 0):
                return {"outcome": "failed", "error": "SystemExit", "message": str(exit.code)}
        return {"outcome": "passed"}
    raise ValueError(f"unknown request kind {kind!r}")


def serve():
    _warm_up()
    print("ready", flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            try:
                _child(request)
            finally:
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        print(json.dumps({"status": status}), flush=True)


if __name__ == "__main__":
    serve()
