"""How much the Brunel network's rate and CV(ISI) vary between realisations of its Poisson noise,
on pyNN.nest and on this backend: the tolerances of ``test_reference.py::test_brunel_matches_nest``
come from these figures. Connectivity and initial state stay those of seed 12345 (the test's);
only the noise seed changes. Each run is its own process.

    python tests/pynn/brunel_variability.py [--seeds 6]
"""
import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
RUN = """
import json, importlib
from examples import brunel
sim = importlib.import_module(brunel.BACKENDS["{backend}"])
setup = sim.setup
sim.setup = lambda **kw: setup(**(kw | {{"rng_seed": {noise}}}))
r = brunel.simulate("{backend}", scale=250, duration=1000.0, timestep=0.1, seed=12345)
print(json.dumps({{k: r[k] for k in ("rate_E", "rate_I", "cv_E")}}))
"""


def run(backend, noise):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-c", RUN.format(backend=backend, noise=noise)], cwd=REPO, env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=6)
    args = parser.parse_args(argv)
    results = {b: [run(b, 1000 + s) for s in range(args.seeds)] for b in ("nest", "spinnaker2")}
    for key in ("rate_E", "cv_E"):
        for backend, rs in results.items():
            x = np.array([r[key] for r in rs])
            print(f"{key:7s} {backend:10s} mean {x.mean():.4f} sd {x.std(ddof=1):.4f}  {np.round(x, 4).tolist()}")
        diff_sd = np.sqrt(sum(np.var([r[key] for r in rs], ddof=1) for rs in results.values()))
        bias = np.mean([r[key] for r in results["spinnaker2"]]) - np.mean([r[key] for r in results["nest"]])
        print(f"{key:7s} ours - nest: mean {bias:+.4f}; sd of one difference {diff_sd:.4f}")


if __name__ == "__main__":
    main()
