"""Every speed-at-scale benchmark in one command, each printing our figures beside pyNN.nest's
and the ratios.

* ``brunel.py``: Brunel, shared and per-neuron Poisson input, order 250 and full scale
  (NE = 10,000), our thread counts 1 and 2, with the goals;
* ``microcircuit.py``: the Potjans-Diesmann microcircuit's rates beside NEST's at scale 0.1,
  and the full-scale profile (per-stage time and peak memory, PEs, chips, routing entries);
* ``scaling.py``: compile and emulation time against network size, ours and NEST's, as a PNG.

``--quick`` runs small versions of each (minutes, not hours): Brunel order 250 for 200 ms,
the microcircuit at scale 0.02 (and profiled at 0.05), the scaling plot up to order 250.

    python benchmarks/run_all.py --quick
    python benchmarks/run_all.py                 # hours: NEST builds full-scale networks through PyNN
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import brunel, microcircuit, scaling  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def plan(quick):
    if quick:
        return [("Brunel", brunel.main, ["--scales", "250", "--duration", "200"]),
                ("microcircuit", microcircuit.main, ["--compare", "0.02", "--profile", "0.05", "--duration", "300"]),
                ("scaling", scaling.main, ["--scales", "50", "125", "250", "--duration", "200",
                                           "--plot", os.path.join(HERE, "scaling_quick.png")])]
    return [("Brunel", brunel.main, []),
            ("microcircuit", microcircuit.main, ["--compare", "0.1", "--profile", "1.0"]),
            ("scaling", scaling.main, [])]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small versions of every benchmark")
    parser.add_argument("--only", nargs="+", choices=("Brunel", "microcircuit", "scaling"))
    args = parser.parse_args(argv)
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.1f} on {os.cpu_count()} cores"
          + (" (a loaded machine: compare ratios, not absolute times)" if load[0] > os.cpu_count() else ""))
    for name, function, arguments in plan(args.quick):
        if args.only and name not in args.only:
            continue
        start = time.perf_counter()
        print(f"\n=== {name}: {' '.join(arguments)}", flush=True)
        function(arguments)
        print(f"=== {name} took {time.perf_counter() - start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
