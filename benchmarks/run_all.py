"""Every speed-at-scale benchmark in one command, each printing our figures beside pyNN.nest's
and the ratios.

* ``brunel.py``: Brunel, shared and per-neuron Poisson input, order 250 and full scale
  (NE = 10,000), our thread counts 1 and 2, with the goals;
* ``microcircuit.py``: the Potjans-Diesmann microcircuit's rates beside NEST's at scale 0.1,
  and the full-scale profile (per-stage time and peak memory, PEs, chips, routing entries);
* ``scaling.py``: compile and emulation time against network size, ours and NEST's, as a PNG.

``--quick`` runs small versions of each (minutes, not hours): Brunel order 250 for 200 ms,
the microcircuit at scale 0.02 (and profiled at 0.05), the scaling plot up to order 250.
``--tiny`` runs each at the smallest sizes (a check that the scripts work, not a measurement).

    python benchmarks/run_all.py --quick
    python benchmarks/run_all.py --tiny --out /tmp      # PNGs into /tmp
    python benchmarks/run_all.py                 # hours: NEST builds full-scale networks through PyNN
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import brunel, microcircuit, scaling  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def plan(size, out=HERE):
    """(name, main function, arguments) of every benchmark, at ``size`` 'full', 'quick' or 'tiny'."""
    if size == "tiny":
        return [("Brunel", brunel.main, ["--scales", "20", "--duration", "50"]),
                ("microcircuit", microcircuit.main, ["--compare", "0.01", "--profile", "0.01", "--duration", "100",
                                                     "--transient", "20", "--n-chips", "4"]),
                ("scaling", scaling.main, ["--scales", "10", "20", "--duration", "50",
                                           "--plot", os.path.join(out, "scaling_tiny.png")])]
    if size == "quick":
        return [("Brunel", brunel.main, ["--scales", "250", "--duration", "200"]),
                ("microcircuit", microcircuit.main, ["--compare", "0.02", "--profile", "0.05", "--duration", "300"]),
                ("scaling", scaling.main, ["--scales", "50", "125", "250", "--duration", "200",
                                           "--plot", os.path.join(out, "scaling_quick.png")])]
    return [("Brunel", brunel.main, []),
            ("microcircuit", microcircuit.main, ["--compare", "0.1", "--profile", "1.0"]),
            ("scaling", scaling.main, ["--plot", os.path.join(out, "scaling.png")])]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small versions of every benchmark")
    size.add_argument("--tiny", action="store_true", help="the smallest versions: checks the scripts run")
    parser.add_argument("--out", default=HERE, help="directory for the PNGs (default: benchmarks/)")
    parser.add_argument("--only", nargs="+", choices=("Brunel", "microcircuit", "scaling"))
    args = parser.parse_args(argv)
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.1f} on {os.cpu_count()} cores"
          + (" (a loaded machine: compare ratios, not absolute times)" if load[0] > os.cpu_count() else ""))
    for name, function, arguments in plan("tiny" if args.tiny else "quick" if args.quick else "full", args.out):
        if args.only and name not in args.only:
            continue
        start = time.perf_counter()
        print(f"\n=== {name}: {' '.join(arguments)}", flush=True)
        function(arguments)
        print(f"=== {name} took {time.perf_counter() - start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
