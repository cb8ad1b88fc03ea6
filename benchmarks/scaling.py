"""How compile and emulation time grow with the network, ours beside pyNN.nest's: the Brunel
network (``examples/brunel.py``) at a range of orders, each run in its own process as in
``brunel.py``, plotted against the number of synapses (log-log) into a PNG.

Ours: "build + compile" is PyNN network construction, translation and the mapping pipeline;
"emulation" the run proper. NEST's: PyNN build and run. One repeat per point.

    python benchmarks/scaling.py                               # orders 50 ... 2500, per-neuron Poisson
    python benchmarks/scaling.py --scales 50 125 250 --style shared --plot scaling.png
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.brunel import STYLES, measure  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def run(scales, style, duration, threads, seed):
    points = []
    for k, scale in enumerate(scales):
        order = ("nest", "spinnaker2") if k % 2 == 0 else ("spinnaker2", "nest")
        r = {backend: measure(backend, scale, duration, seed, style, threads if backend == "spinnaker2" else 1)
             for backend in order}
        s2, nest = r["spinnaker2"], r["nest"]
        points.append({"scale": scale, "neurons": 5 * scale, "synapses": s2["synapses"],
                       "ours_build_compile_s": s2["build_s"] + s2["translate_s"] + s2["compile_s"],
                       "ours_load_s": s2["load_s"], "ours_emulate_s": s2["emulate_s"], "ours_peak_mb": s2["peak_mb"],
                       "nest_build_s": nest["build_s"], "nest_run_s": nest["emulate_s"], "nest_peak_mb": nest["peak_mb"]})
        p = points[-1]
        print(f"{scale:>6}{p['neurons']:>9}{p['synapses']:>12}{p['ours_build_compile_s']:>12.3f}"
              f"{p['ours_emulate_s']:>12.3f}{p['nest_build_s']:>12.3f}{p['nest_run_s']:>12.3f}"
              f"{p['ours_peak_mb']:>10.0f}{p['nest_peak_mb']:>10.0f}", flush=True)
    return points


def plot(points, filename, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = [p["synapses"] for p in points]
    fig, ax = plt.subplots(figsize=(7, 5))
    for key, label, style in (("ours_build_compile_s", "spinnaker2: PyNN build + compile", "o-"),
                              ("ours_emulate_s", "spinnaker2: emulation", "s-"),
                              ("nest_build_s", "pyNN.nest: PyNN build", "o--"),
                              ("nest_run_s", "pyNN.nest: run", "s--")):
        ax.loglog(x, [p[key] for p in points], style, label=label)
    ax.set_xlabel("synapses")
    ax.set_ylabel("wall time (s)")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(filename, dpi=120)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[50, 125, 250, 500, 1000, 2500])
    parser.add_argument("--style", choices=STYLES, default="per-neuron")
    parser.add_argument("--duration", type=float, default=1000.0)
    parser.add_argument("--threads", type=int, default=2, help="our threads")
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--plot", default=os.path.join(HERE, "scaling.png"))
    parser.add_argument("--json", help="write the points to this file")
    args = parser.parse_args(argv)
    print(f"Brunel ({args.style} Poisson input), {args.duration:g} ms at dt 0.1 ms; ours with {args.threads} "
          "thread(s), NEST with 1")
    print(f"{'order':>6}{'neurons':>9}{'synapses':>12}{'ours b+c s':>12}{'ours emu s':>12}{'NEST bld s':>12}"
          f"{'NEST run s':>12}{'ours MB':>10}{'NEST MB':>10}")
    points = run(args.scales, args.style, args.duration, args.threads, args.seed)
    plot(points, args.plot, f"Brunel network, {args.style} Poisson input, {args.duration:g} ms")
    print(f"plot written to {args.plot}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(points, f, indent=1)


if __name__ == "__main__":
    main()
