"""Where a PyNN run on this backend spends its time and memory: wall time and peak resident
memory of every stage, from the PyNN build (populations, connectors, checks) through
translation and each mapping stage to loading, emulation and reading the data back.

Stages are marked by wrapping the functions that do them (nothing in the package changes).
Peak memory per stage is the kernel's own high-water mark (``VmHWM``), reset when a stage
starts (``/proc/self/clear_refs``, Linux), so short peaks inside numpy or numba calls count,
which a sampling thread would miss. A stage's time includes the stages nested in it.

    from benchmarks.stages import Profile
    with Profile() as profile:
        ...build and run a network with pynn_spinnaker2...
    print(profile.table())
"""
from __future__ import annotations

import functools
import re
import time

_HWM = re.compile(r"VmHWM:\s+(\d+) kB")
_RSS = re.compile(r"VmRSS:\s+(\d+) kB")


def _status(pattern) -> float:
    with open("/proc/self/status") as f:
        return int(pattern.search(f.read()).group(1)) / 1024.0


def _reset_peak():
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def _wrap_method(owner, name, label, profile):
    original = owner.__dict__.get(name) if isinstance(owner, type) else getattr(owner, name)
    inherited = getattr(owner, name)

    @functools.wraps(inherited)
    def wrapper(*args, **kwargs):
        with profile.stage(label):
            return inherited(*args, **kwargs)
    setattr(owner, name, wrapper)
    return owner, name, original


class Profile:
    """Time and peak memory per stage while active (a context manager)."""

    def __init__(self, log=None):
        self.log = log                         # a file to note each stage's end in as it happens
        self.records: dict[str, list] = {}     # label -> [calls, seconds, peak MB, RSS at end MB]
        self.order: list[str] = []
        self._stack: list[list] = []           # [label, start, peak so far]
        self._patches = []

    # -- stages -----------------------------------------------------------------------------
    class _Stage:
        def __init__(self, profile, label):
            self.profile, self.label = profile, label

        def __enter__(self):
            p = self.profile
            hwm = _status(_HWM)
            for frame in p._stack:
                frame[2] = max(frame[2], hwm)
            _reset_peak()
            p._stack.append([self.label, time.perf_counter(), _status(_RSS)])
            if p.log is not None:
                print(f"[{self.label}] starts, RSS {p._stack[-1][2]:.0f} MB", file=p.log, flush=True)
            return self

        def __exit__(self, *exc):
            p = self.profile
            label, start, peak = p._stack.pop()
            hwm = _status(_HWM)
            for frame in p._stack:
                frame[2] = max(frame[2], hwm)
            record = p.records.get(label)
            if record is None:
                record = p.records[label] = [0, 0.0, 0.0, 0.0]
                p.order.append(label)
            record[0] += 1
            record[1] += time.perf_counter() - start
            record[2] = max(record[2], peak, hwm)
            record[3] = _status(_RSS)
            if p.log is not None:
                print(f"[{label}] {time.perf_counter() - start:.2f} s, peak {max(peak, hwm):.0f} MB, "
                      f"RSS {record[3]:.0f} MB", file=p.log, flush=True)
            return False

    def stage(self, label):
        return Profile._Stage(self, label)

    # -- what is profiled -------------------------------------------------------------------
    def __enter__(self):
        import core.compile as compile_module
        import core.mapping.paradigm as paradigm
        import core.runtime.emulator as emulator
        import pynn_spinnaker2.populations as populations
        import pynn_spinnaker2.projections as projections
        import pynn_spinnaker2.recording as recording
        import pynn_spinnaker2.simulator as simulator

        patch = [
            (populations.Population, "__init__", "build: populations"),
            (projections.Projection, "__init__", "build: projections"),
            (projections, "expand", "build: connectors (draws)"),
            (projections.Projection, "_store", "build: synapse checks"),
            (simulator.State, "translate", "run: translate to core.Network"),
            (compile_module, "compile_network", "run: compile"),
            (compile_module, "quantise", "compile: quantise"),
            (compile_module, "layer", "compile: layers"),
            (paradigm, "choose", "compile: paradigm"),
            (compile_module, "parallel_layers", "compile: parallel maps"),
            (compile_module, "partition", "compile: partition"),
            (compile_module, "place", "compile: place"),
            (compile_module, "assign_keys", "compile: keys"),
            (compile_module, "route", "compile: route"),
            (compile_module, "build_images", "compile: memory images"),
            (compile_module, "mapping_report", "compile: report"),
            (emulator.Emulator, "__init__", "run: load"),
            (emulator.Emulator, "run", "run: emulate"),
            (recording.Recorder, "_get_spiketimes", "data: spikes from the machine"),
            (populations.Population, "get_data", "data: get_data (neo)"),
        ]
        import core
        self._patches = [_wrap_method(owner, name, label, self) for owner, name, label in patch]
        # the simulator imports these from ``core`` when it builds
        self._patches.append((core, "compile_network", core.compile_network))
        core.compile_network = compile_module.compile_network
        self._outer = self.stage("total")
        self._outer.__enter__()
        return self

    def __exit__(self, *exc):
        self._outer.__exit__(*exc)
        for owner, name, original in reversed(self._patches):
            if original is None:
                delattr(owner, name)          # it was inherited
            else:
                setattr(owner, name, original)
        self._patches = []
        return False

    # -- results ------------------------------------------------------------------------------
    def table(self) -> str:
        lines = [f"{'stage':<36}{'calls':>7}{'seconds':>10}{'peak MB':>10}{'RSS after MB':>14}"]
        for label in sorted(self.order, key=self._position):
            calls, seconds, peak, rss = self.records[label]
            lines.append(f"{label:<36}{calls:>7}{seconds:>10.2f}{peak:>10.0f}{rss:>14.0f}")
        return "\n".join(lines)

    _ORDER = ("build", "run: translate", "run: compile", "compile", "run: load", "run: emulate", "data", "total")

    def _position(self, label):
        for k, prefix in enumerate(self._ORDER):
            if label.startswith(prefix):
                return k, self.order.index(label)
        return len(self._ORDER), self.order.index(label)

    def as_dict(self) -> dict:
        return {label: dict(zip(("calls", "seconds", "peak_mb", "rss_mb"), self.records[label]))
                for label in self.order}
