"""Twelve scikit-learn classifiers for the paradigm choice (paper IV-B), the paper's Figure 5,
and the shipped model.

Data: ``paradigm_dataset.npz`` (``python benchmarks/paradigm_dataset.py``): the paper's grid in
variants of weight precision and receptor types (``8x1``: the paper's 8-bit, excitatory layers;
``16x2``: 16-bit weights, excitatory and inhibitory sources, what PyNN scripts map by default;
samples of ``16x1`` and ``8x2``), labelled two ways: ``label``, serial as the pipeline partitions
it (a matrix beyond four PEs' SRAM in DRAM) against parallel, what the compiler faces, and
``paper_label``, serial without DRAM against parallel, as the paper counts. A stratified, seeded
80/20 split; 5-fold cross-validation on the 80 %; held-out accuracy, PE regret (extra PEs of the
chosen paradigm over the better one, as % of the ideal total) and decision time per layer.

1. The paper's comparison: the 8x1 layers, the paper's four features (sources, targets,
   density, delay range), the paper's labels.
2. Every variant, the compiler's labels, with the weight precision, the receptor types and the
   cost models' PE estimates of both paradigms as features (``core.mapping.switching.features``).
   The tree ensemble with the best cross-validated accuracy is written to
   ``core/mapping/paradigm_model.json`` (trees as arrays, one per line), evaluated by
   ``switching`` with numba: decisions need no scikit-learn. Per variant, it is compared with the
   cost models alone (what ``auto`` falls back to outside the training grid) and with a model
   trained on the paper's variant only.
3. ``auto`` as the compiler runs it (``switching.choose_paradigm``: a layer one serial PE
   certainly holds is serial, then the shipped model), on the held-out layers.
4. Figure 5: mean PEs per delay range for serial (with and without DRAM), parallel,
   classifier-switched (out-of-fold predictions over every 8x1 layer) and ideal.
5. Decision time against compiling both paradigms, one layer at a time.

    python benchmarks/classifiers.py --regenerate        # the dataset anew (2 processes), then all
    python benchmarks/classifiers.py [--data benchmarks/paradigm_dataset.npz] [--no-ship] [--timing-only]

Deterministic: the dataset's layers are seeded by their grid index and sorted, the split, the folds
and every classifier are seeded.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn.base import clone  # noqa: E402
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis, QuadraticDiscriminantAnalysis  # noqa: E402
from sklearn.ensemble import (AdaBoostClassifier, ExtraTreesClassifier, GradientBoostingClassifier,  # noqa: E402
                              RandomForestClassifier)
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import StratifiedKFold, cross_val_predict, cross_val_score, train_test_split  # noqa: E402
from sklearn.naive_bayes import GaussianNB  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

from benchmarks import paradigm_dataset  # noqa: E402
from benchmarks.paradigm_dataset import DEFAULT_OUT, LABELLINGS, grid_layer, layer_blocks, load  # noqa: E402
from core.mapping import switching  # noqa: E402
from core.mapping.layers import layer, serial_blocks  # noqa: E402

SEED = 0
JOBS = 2                  # folds fitted side by side (the results do not depend on it)
SHIPPABLE = ("AdaBoost", "Gradient boosting", "Random forest", "Extra trees", "Decision tree")
MAX_SHIPPED_NODES = 5000  # the shipped model stays small (~100 KB of JSON): bounded trees, not 100 full-depth ones


def classifiers() -> dict:
    scaled = lambda c: make_pipeline(StandardScaler(), c)  # noqa: E731
    return {
        "AdaBoost": AdaBoostClassifier(DecisionTreeClassifier(max_depth=3), n_estimators=100, random_state=SEED),
        "Gradient boosting": GradientBoostingClassifier(n_estimators=150, max_depth=3, random_state=SEED),
        "Random forest": RandomForestClassifier(n_estimators=100, min_samples_leaf=2, random_state=SEED),
        "Extra trees": ExtraTreesClassifier(n_estimators=100, min_samples_leaf=2, random_state=SEED),
        "Decision tree": DecisionTreeClassifier(min_samples_leaf=3, random_state=SEED),
        "k-NN": scaled(KNeighborsClassifier(n_neighbors=7)),
        "SVM (RBF)": scaled(SVC(C=10.0, gamma="scale", random_state=SEED)),
        "Logistic regression": scaled(LogisticRegression(max_iter=2000)),
        "Naive Bayes": scaled(GaussianNB()),
        "MLP": scaled(MLPClassifier(hidden_layer_sizes=(64, 32), max_iter=1000, random_state=SEED)),
        "LDA": scaled(LinearDiscriminantAnalysis()),
        "QDA": scaled(QuadraticDiscriminantAnalysis(reg_param=1e-3)),
    }


def feature_matrix(data: dict, full: bool) -> np.ndarray:
    raw = np.column_stack([data["n_source"], data["n_target"], data["density"], data["delay_range"]]).astype(float)
    if not full:
        return raw
    return np.array([switching.features(int(a), int(b), float(c), int(d), int(bits), int(types),
                                        blocks=layer_blocks(int(a), int(types), float(c)))
                     for (a, b, c, d), bits, types in zip(raw, data["weight_bits"], data["n_types"])])


def variants(data: dict) -> list[tuple[int, int]]:
    return sorted({(int(b), int(t)) for b, t in zip(data["weight_bits"], data["n_types"])},
                  key=lambda v: (v != (8, 1), v != (16, 2), v))


def variant_rows(data: dict, idx: np.ndarray, bits: int, types: int) -> np.ndarray:
    return idx[(data["weight_bits"][idx] == bits) & (data["n_types"][idx] == types)]


class Labelling(NamedTuple):
    """Labels (1 = parallel) and the PE counts they compare."""
    y: np.ndarray
    serial: np.ndarray
    parallel: np.ndarray


def labelling(data: dict, name: str = "label") -> Labelling:
    """``label``: serial as the pipeline partitions it; ``paper_label``: serial without DRAM."""
    return Labelling(data[name], data[LABELLINGS[name][0]], data["parallel_pes"])


def regret(choice: np.ndarray, lab: Labelling, idx: np.ndarray) -> float:
    """Extra PEs of the chosen paradigms over the better one, as % of the ideal total."""
    s, p = lab.serial[idx], lab.parallel[idx]
    chosen = np.where(choice == 1, p, s)
    ideal = np.minimum(s, p)
    return 100 * (chosen.sum() - ideal.sum()) / ideal.sum()


def compare(X, lab: Labelling, train, test) -> list[dict]:
    rows, y = [], lab.y
    folds = StratifiedKFold(5, shuffle=True, random_state=SEED)
    for name, clf in classifiers().items():
        t = time.perf_counter()
        cv = cross_val_score(clf, X[train], y[train], cv=folds, n_jobs=JOBS)
        clf.fit(X[train], y[train])
        fit_s = time.perf_counter() - t
        t = time.perf_counter()
        pred = clf.predict(X[test])
        per_layer = (time.perf_counter() - t) / test.size
        rows.append(dict(name=name, cv=cv.mean(), cv_sd=cv.std(), accuracy=np.mean(pred == y[test]),
                         regret=regret(pred, lab, test), decide_us=1e6 * per_layer, fit_s=fit_s, model=clf))
        print(f"  {name:<20} cv {100 * cv.mean():.2f} %  held-out {100 * rows[-1]['accuracy']:.2f} %  "
              f"regret {rows[-1]['regret']:.3f} %", flush=True)
    return rows


def summary(data: dict, kinds) -> str:
    """Per variant: how often the serial rows go to DRAM, and under each labelling how often
    parallel wins and how often the PE counts tie (ties go to fewer SRAM bytes, then serial)."""
    lines = ["| variant | layers | serial rows in DRAM | compiler's labels: parallel | equal PEs | "
             "paper's labels: parallel | equal PEs |", "| --- |" + " ---: |" * 6]
    idx = np.arange(data["label"].size)
    for bits, types in kinds:
        v = variant_rows(data, idx, bits, types)
        cells = [f"{100 * data[name][v].mean():.1f} % | {100 * np.mean(data[pes][v] == data['parallel_pes'][v]):.1f} %"
                 for name, (pes, _) in LABELLINGS.items()]
        lines.append(f"| {bits}x{types} | {v.size} | {100 * data['serial_in_dram'][v].mean():.1f} % | " + " | ".join(cells)
                     + " |")
    return "\n".join(lines)


def table(rows) -> str:
    lines = ["| classifier | 5-fold CV accuracy | held-out accuracy | PE regret | decision time / layer (batch) |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for r in sorted(rows, key=lambda r: -r["accuracy"]):
        lines.append(f"| {r['name']} | {100 * r['cv']:.2f} ± {100 * r['cv_sd']:.2f} % | {100 * r['accuracy']:.2f} % | "
                     f"{r['regret']:.3f} % | {r['decide_us']:.1f} µs |")
    return "\n".join(lines)


# -- the shipped model -----------------------------------------------------------------------------

def _tree(t, value) -> list:
    return [t.children_left.tolist(), t.children_right.tolist(), t.feature.tolist(),
            [float(v) for v in t.threshold], [float(v) for v in value]]


def export(name: str, clf, X: np.ndarray) -> dict:
    """Trees as plain arrays; leaves hold what ``switching.model_score`` adds up."""
    if name == "Gradient boosting":
        trees = [e[0].tree_ for e in clf.estimators_]
        model = dict(kind="gradient_boosting", learning_rate=clf.learning_rate,
                     trees=[_tree(t, t.value[:, 0, 0]) for t in trees])
        partial = clf.learning_rate * sum(e[0].predict(X) for e in clf.estimators_)
        model["init"] = float(np.median(clf.decision_function(X) - partial))
        return model
    if name == "AdaBoost":
        trees = [e.tree_ for e in clf.estimators_]
        return dict(kind="adaboost", weights=[float(w) for w in clf.estimator_weights_[:len(trees)]],
                    trees=[_tree(t, t.value[:, 0, 1] - t.value[:, 0, 0]) for t in trees])
    estimators = clf.estimators_ if hasattr(clf, "estimators_") else [clf]
    trees = [e.tree_ for e in estimators]
    return dict(kind="forest", trees=[_tree(t, t.value[:, 0, 1] / t.value[:, 0].sum(1)) for t in trees])


def n_nodes(clf) -> int:
    """Tree nodes of a fitted tree or tree ensemble."""
    estimators = np.ravel(clf.estimators_) if hasattr(clf, "estimators_") else [clf]
    return int(sum(e.tree_.node_count for e in estimators))


def write_model(model: dict, path: Path):
    """Deterministic, one tree per line, so a rebuilt model diffs readably."""
    head = {k: v for k, v in model.items() if k != "trees"}
    lines = ["{", *(f"  {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()), '  "trees": [']
    lines += [f"    {json.dumps(t, separators=(',', ':'))}{',' if i < len(model['trees']) - 1 else ''}"
              for i, t in enumerate(model["trees"])]
    lines += ["  ]", "}"]
    path.write_text("\n".join(lines) + "\n")


# -- Figure 5 --------------------------------------------------------------------------------------

def figure5(data, lab: Labelling, rows: np.ndarray, switched: np.ndarray, path: Path | None) -> str:
    """Mean PEs per delay range over ``rows``, ``switched[i]`` the choice for ``rows[i]``; serial
    as ``lab`` counts it, and without DRAM (the paper's count) beside it."""
    D = data["delay_range"][rows]
    s, p = lab.serial[rows], lab.parallel[rows]
    series = {"serial": s, "parallel": p, "classifier-switched": np.where(switched == 1, p, s),
              "ideal": np.minimum(s, p), "serial without DRAM": data["serial_pes"][rows]}
    delays = np.unique(D)
    means = {k: np.array([v[D == d].mean() for d in delays]) for k, v in series.items()}
    if path is not None:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(6.4, 4))
        for (k, m), style in zip(means.items(), ("o-", "s-", "^-", "--", ":")):
            ax.plot(delays, m, style, label=k, color="grey" if k == "serial without DRAM" else None)
        ax.set_xlabel("delay range (time steps)")
        ax.set_ylabel(f"mean PEs per layer ({int(np.sum(D == delays[0]))} layers each)")
        ax.legend()
        ax.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(path, dpi=120)
    lines = ["| delay range | " + " | ".join(means) + " | switched / ideal |", "| ---: |" + " ---: |" * (len(means) + 1)]
    lines += [f"| {d} | " + " | ".join(f"{means[k][i]:.3f}" for k in means)
              + f" | {means['classifier-switched'][i] / means['ideal'][i]:.4f} |" for i, d in enumerate(delays)]
    lines.append("| all | " + " | ".join(f"{v.mean():.3f}" for v in series.values())
                 + f" | {series['classifier-switched'].mean() / series['ideal'].mean():.4f} |")
    return "\n".join(lines)


# -- auto as the compiler runs it ------------------------------------------------------------------

def one_pe(data, rows) -> np.ndarray:
    """Layers that one serial PE certainly holds (``switching.serial_fits_one_pe``)."""
    return np.array([switching.serial_fits_one_pe(int(data["n_source"][i]), int(data["n_target"][i]),
                                                  int(data["delay_range"][i]), weight_bits=int(data["weight_bits"][i]),
                                                  blocks=layer_blocks(int(data["n_source"][i]),
                                                                      int(data["n_types"][i]), 1.0))
                     for i in rows], dtype=bool)


def cost_model_choice(X: np.ndarray) -> np.ndarray:
    """Parallel where its PE estimate is below serial's as the pipeline partitions (what ``auto``
    does outside the grid)."""
    f = list(switching.FEATURES)
    return (X[:, f.index("parallel_estimate")] < X[:, f.index("serial_dram_estimate")]).astype(int)


def decision_timing(data, idx, repeats=3) -> str:
    """One layer at a time: ``auto``'s decision (the layer's serial blocks counted from its
    projections, then ``choose_paradigm``) against compiling both paradigms."""
    switching.load_model.cache_clear()
    switching._shipped.cache_clear()
    switching.choose_paradigm(100, 100, 0.5, 2)          # load the model once, as a compiler would
    decide, both = [], []
    for i in idx:
        a, b, c, d = (int(data["n_source"][i]), int(data["n_target"][i]), float(data["density"][i]),
                      int(data["delay_range"][i]))
        bits, types = int(data["weight_bits"][i]), int(data["n_types"][i])
        src, tgt, w, dl, r = grid_layer(int(data["index"][i]), a, b, c, d, bits, types)
        net = switching.layer_network(src, tgt, dl, a, b, r=r)
        lay = layer(net, 1)
        runs = []
        for _ in range(repeats):                          # the least of a few runs, as timeit does
            t = time.perf_counter()
            switching.choose_paradigm(a, b, c, d, bits, types, blocks=serial_blocks(net, lay))
            runs.append(time.perf_counter() - t)
        decide.append(min(runs))
        t = time.perf_counter()
        switching.exact_pes(src, tgt, w, dl, a, b, d, bits, r=r)
        both.append(time.perf_counter() - t)
    decide, both = np.array(decide), np.array(both)
    least = int(np.argmin(both / decide))
    return (f"decision {1e6 * np.median(decide):.0f} µs median per layer (slowest {1e6 * decide.max():.0f} µs), "
            f"compiling both paradigms {1e3 * np.median(both):.1f} ms median: {np.median(both) / np.median(decide):.0f}x "
            f"faster (per layer: 5th percentile {np.percentile(both / decide, 5):.0f}x, least "
            f"{np.min(both / decide):.0f}x, on {int(data['n_source'][idx[least]])} x {int(data['n_target'][idx[least]])} "
            f"at {100 * data['density'][idx[least]]:.0f} %, D = {int(data['delay_range'][idx[least]])}) over "
            f"{idx.size} layers")


def timing_sample(data, test, n=200) -> np.ndarray:
    """Held-out layers at random, plus the 20 with the fewest synapses (cheapest to compile)."""
    rng = np.random.default_rng(SEED)
    smallest = test[np.argsort(data["n_synapses"][test], kind="stable")[:20]]
    return np.unique(np.concatenate([rng.choice(test, n, replace=False), smallest]))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--no-ship", action="store_true", help="do not rewrite the shipped model")
    ap.add_argument("--figure", type=Path, default=Path(__file__).with_name("figure5_paradigms.png"))
    ap.add_argument("--timing-only", action="store_true", help="only time the shipped model's decisions")
    ap.add_argument("--regenerate", action="store_true",
                    help="first rebuild the dataset (paradigm_dataset.py's default variants) into --data")
    ap.add_argument("--processes", type=int, default=2, help="processes compiling the dataset's layers")
    args = ap.parse_args(argv)
    if args.regenerate:
        paradigm_dataset.main(["--out", str(args.data), "--processes", str(args.processes)])
    data = load(args.data)
    lab, paper_lab = labelling(data, "label"), labelling(data, "paper_label")
    y = lab.y
    idx = np.arange(y.size)
    kinds = variants(data)
    code = np.zeros(y.size, np.int64)
    for k, (bits, types) in enumerate(kinds):
        code[variant_rows(data, idx, bits, types)] = k
    train, test = train_test_split(idx, test_size=0.2, stratify=2 * code + y, random_state=SEED)
    if args.timing_only:
        print(decision_timing(data, timing_sample(data, test)))
        return
    print(f"{y.size} layers in variants " + ", ".join(f"{b}x{t} ({np.sum(code == k)})" for k, (b, t) in enumerate(kinds))
          + f"; train {train.size}, held out {test.size}\n")
    print(summary(data, kinds) + "\n")

    paper = variant_rows(data, idx, 8, 1)
    train8, test8 = np.intersect1d(train, paper), np.intersect1d(test, paper)
    print("### 8x1, the paper's four features, the paper's labels (serial without DRAM)")
    rows4 = compare(feature_matrix(data, False), paper_lab, train8, test8)
    print("\n" + table(rows4) + "\n")

    print("### every variant, the compiler's labels (serial as the pipeline partitions it), four features + weight "
          "bits, receptor types and cost-model estimates")
    X = feature_matrix(data, True)
    rows = compare(X, lab, train, test)
    print("\n" + table(rows) + "\n")
    small = [r for r in rows if r["name"] in SHIPPABLE and n_nodes(r["model"]) <= MAX_SHIPPED_NODES]
    best = max(small, key=lambda r: r["cv"])
    print(f"shipped: {best['name']} ({n_nodes(best['model'])} tree nodes), the best cross-validated tree ensemble of "
          f"at most {MAX_SHIPPED_NODES} nodes (held-out accuracy {100 * best['accuracy']:.2f} %, PE regret "
          f"{best['regret']:.3f} %); too large to ship: "
          + ", ".join(f"{r['name']} ({n_nodes(r['model'])} nodes)" for r in rows
                      if r["name"] in SHIPPABLE and all(r is not x for x in small)))

    paper_only = clone(best["model"]).fit(X[train8], y[train8])
    lines = ["| variant | held-out layers | shipped model: accuracy | regret | cost models alone: accuracy | regret "
             "| model trained on 8x1 only: accuracy | regret | always serial: accuracy | regret |",
             "| --- |" + " ---: |" * 9]
    for bits, types in kinds + [("all", "")]:
        t = test if bits == "all" else variant_rows(data, test, bits, types)
        choices = (best["model"].predict(X[t]), cost_model_choice(X[t]), paper_only.predict(X[t]), np.zeros(t.size, int))
        lines.append(f"| {bits}{'x' if types else ''}{types} | {t.size} | "
                     + " | ".join(f"{100 * np.mean(c == y[t]):.2f} % | {regret(c, lab, t):.3f} %" for c in choices) + " |")
    print("\n".join(lines) + "\n")

    model = export(best["name"], best["model"], X)
    model["features"] = list(switching.FEATURES)
    model["grid"] = dict(n_source=[int(data["n_source"].min()), int(data["n_source"].max())],
                         n_target=[int(data["n_target"].min()), int(data["n_target"].max())],
                         density=[float(data["density"].min()), float(data["density"].max())],
                         delay_range=[int(data["delay_range"].min()), int(data["delay_range"].max())],
                         weight_bits=sorted({b for b, _ in kinds}), n_types=sorted({t for _, t in kinds}),
                         model="IF_curr_exp")
    model["trained"] = dict(classifier=best["name"], layers=int(train.size), variants=[f"{b}x{t}" for b, t in kinds],
                            labels="fewer PEs, serial as the pipeline partitions it (rows beyond four PEs in DRAM) "
                                   "against parallel; equal PEs: fewer SRAM bytes, then serial",
                            held_out_accuracy=round(best["accuracy"], 5), pe_regret_percent=round(best["regret"], 4))
    score = switching.compile_model(model)
    ours = np.array([score.score(x) > 0 for x in X]).astype(int)
    agree = np.mean(ours == best["model"].predict(X))
    print(f"numba evaluation agrees with scikit-learn on {100 * agree:.3f} % of layers")
    if agree < 0.999:
        raise SystemExit("the exported model does not reproduce the trained one")
    if not args.no_ship:
        write_model(model, switching.MODEL_PATH)
        switching.load_model.cache_clear()
        switching._shipped.cache_clear()
        print(f"written to {switching.MODEL_PATH}")

    folds = StratifiedKFold(5, shuffle=True, random_state=SEED)
    oof = cross_val_predict(clone(best["model"]), X, y, cv=folds, n_jobs=JOBS)
    rule = one_pe(data, idx)
    auto_oof = np.where(rule, 0, oof)
    held = np.where(rule[test], 0, best["model"].predict(X[test]))
    lines = ["| variant | held-out layers | decided by one serial PE | accuracy | PE regret |", "| --- |" + " ---: |" * 4]
    for bits, types in kinds:
        t = variant_rows(data, test, bits, types)
        a = np.where(rule[t], 0, best["model"].predict(X[t]))
        lines.append(f"| {bits}x{types} | {t.size} | {100 * rule[t].mean():.1f} % | {100 * np.mean(a == y[t]):.2f} % | "
                     f"{regret(a, lab, t):.3f} % |")
    lines.append(f"| all | {test.size} | {100 * rule[test].mean():.1f} % | {100 * np.mean(held == y[test]):.2f} % | "
                 f"{regret(held, lab, test):.3f} % |")
    print("### auto as the compiler decides (one-PE rule, then the shipped model), held out\n")
    print("\n".join(lines) + "\n")

    for bits, types in kinds[:2]:
        rows_v = variant_rows(data, idx, bits, types)
        if rows_v.size < 1000:
            continue
        sw = auto_oof[rows_v]
        print(f"### Figure 5, {bits}x{types} ({args.figure.name if (bits, types) == (8, 1) else 'table only'}); "
              f"auto out-of-fold over its {rows_v.size} layers (accuracy {100 * np.mean(sw == y[rows_v]):.2f} %, "
              f"PE regret {regret(sw, lab, rows_v):.3f} %)\n")
        print(figure5(data, lab, rows_v, sw, args.figure if (bits, types) == (8, 1) else None) + "\n")
    if not args.no_ship:
        print(decision_timing(data, timing_sample(data, test)))

if __name__ == "__main__":
    main()
