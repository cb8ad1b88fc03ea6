"""The machine spread over MPI ranks: how chips are shared out, what each rank builds, and (under
``mpiexec``) that 1, 2 and 4 ranks give the same answers and fail cleanly."""
import os
import pickle
import shutil
import subprocess
import sys

import numpy as np
import pytest

from core import Machine, Network, Population, Projection, compile_network
from core.hardware import PES_PER_CHIP
from core.mapping.ranks import Share, split
from tests.conftest import random_network

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "tests", "distributed", "network_script.py")
PLASTIC_SCRIPT = os.path.join(ROOT, "tests", "distributed", "plastic_script.py")
NENGO_SCRIPT = os.path.join(ROOT, "tests", "distributed", "nengo_script.py")


def chips_network(n_pops=3, size=200, per_pe=2):
    """Populations of ``size / per_pe`` PEs each, one chip each, connected in a ring."""
    net = Network(0.1)
    for i in range(n_pops):
        net.add_population(Population(f"p{i}", "IF_curr_exp", size, max_neurons_per_pe=per_pe))
    rng = np.random.default_rng(1)
    for i in range(n_pops):
        pre, post = np.nonzero(rng.random((size, size)) < 0.05)
        net.add_projection(Projection(f"{i}", i, (i + 1) % n_pops, pre, post, 0.5, 2))
    return net


def test_ranks_own_contiguous_chips_and_whole_slices():
    program = compile_network(chips_network(), Machine(n_chips=4))
    chip = program.placement // PES_PER_CHIP
    assert np.unique(chip).size == 3
    for n_ranks in (2, 3):
        owner = split(program.graph, program.placement, n_ranks)
        order = np.argsort(program.placement)
        assert np.all(np.diff(owner[order]) >= 0), "ranks own runs of PEs in placement order"
        assert set(owner.tolist()) == set(range(n_ranks))
        for c in np.unique(chip):                       # enough chips: none is shared by two ranks
            assert np.unique(owner[chip == c]).size == 1
    owner = split(program.graph, program.placement, 3)
    assert [np.unique(owner[chip == c]).tolist() for c in np.unique(chip)] == [[0], [1], [2]]


def test_fewer_chips_than_ranks_cut_between_slices_balanced():
    net = random_network(np.random.default_rng(3), n_pops=4, max_size=600, p=0.05)
    program = compile_network(net)
    owner = split(program.graph, program.placement, 4)
    for s in {mv.slice for mv in program.graph.vertices}:
        mine = [owner[v] for v, mv in enumerate(program.graph.vertices) if mv.slice == s]
        assert len(set(mine)) == 1, "a slice's PEs stay on one rank"
    work = np.array([1 + sum(mv.bytes.values()) for mv in program.graph.vertices])
    per_rank = np.bincount(owner, weights=work, minlength=4)
    assert per_rank.min() > 0
    with pytest.raises(ValueError, match="at most .* ranks"):
        split(program.graph, program.placement, len(program.graph.vertices) + 1)


def test_cut_avoids_heavy_traffic():
    """Two equal halves are talking heavily inside each half and barely across: the cut falls
    between the halves even when a slightly better balance is possible elsewhere."""
    net = Network(0.1)
    for i in range(4):
        net.add_population(Population(f"p{i}", "IF_curr_exp", 100, max_neurons_per_pe=25))
    everyone = np.repeat(np.arange(100), 100), np.tile(np.arange(100), 100)
    net.add_projection(Projection("0-1", 0, 1, *everyone, 0.1, 2))
    net.add_projection(Projection("1-0", 1, 0, *everyone, 0.1, 2))
    net.add_projection(Projection("2-3", 2, 3, *everyone, 0.1, 2))
    net.add_projection(Projection("3-2", 3, 2, *everyone, 0.1, 2))
    net.add_projection(Projection("1-2", 1, 2, [0], [0], 0.1, 2))
    program = compile_network(net)
    owner = split(program.graph, program.placement, 2)
    pops = np.array([program.graph.slices[mv.slice].population for mv in program.graph.vertices])
    assert set(owner[pops < 2]) == {0} and set(owner[pops >= 2]) == {1}


@pytest.mark.parametrize("n_ranks", [2, 3])
def test_each_rank_builds_only_its_rows(n_ranks):
    net = random_network(np.random.default_rng(5), n_pops=4, max_size=500, p=0.1, max_delay=80)
    full = compile_network(net)
    total = 0
    for rank in range(n_ranks):
        share = Share(rank, n_ranks)
        part = compile_network(net, share=share)
        mine = share.owner == rank
        assert part.report.populations == full.report.populations       # the report is the whole machine's
        words, whole = part.images.serial.words, full.images.serial.words
        total += words.size
        assert words.size < whole.size
        offsets = (np.append(part.images.serial.al_offset, words.size), np.append(full.images.serial.al_offset, whole.size))
        pes = full.images.pes
        for v in range(len(pes.n)):
            entries = [a for m in range(pes.mpt_start[v], pes.mpt_start[v] + pes.mpt_count[v])
                       for a in range(full.images.serial.mpt_first[m], full.images.serial.mpt_first[m] + full.images.serial.mpt_rows[m])]
            local = full.images.local
            entries += [a for j in range(local.local_start[v], local.local_start[v + 1])
                        for a in range(local.al_first[j], local.al_first[j] + local.al_count[j])]
            for a in entries:
                mine_rows = words[offsets[0][a]:offsets[0][a + 1]]
                if mine[v]:
                    np.testing.assert_array_equal(mine_rows, whole[offsets[1][a]:offsets[1][a + 1]])
                else:
                    assert mine_rows.size == 0
        np.testing.assert_array_equal(part.images.delays.mask, full.images.delays.mask)
        assert part.images.ring_size < full.images.ring_size
    assert total == full.images.serial.words.size


def test_fingerprint_tells_networks_apart():
    """Ranks compare these digests: an unseeded random choice anywhere must show."""
    from core.mapping.ranks import fingerprint

    def make():
        return random_network(np.random.default_rng(2), n_pops=2, max_size=50, p=0.2)
    base = fingerprint(make())
    assert fingerprint(make()) == base
    changed = make()
    changed.populations[0].initial_state["v"] = np.full(changed.populations[0].size, -70.0)
    assert fingerprint(changed) != base
    changed = make()
    proj = next(p for p in changed.projections if p.size)
    proj.post_index = proj.post_index.copy()
    proj.post_index[0] = (proj.post_index[0] + 1) % changed.populations[proj.post].size
    assert fingerprint(changed) != base


# -- under mpiexec --------------------------------------------------------------------------------

def _mpi_missing():
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return "mpi4py is not installed (pip install '.[mpi]')"
    if shutil.which("mpiexec") is None:
        return "no mpiexec on the PATH (pip install '.[mpi]' brings MPICH's)"
    return None


needs_mpi = pytest.mark.skipif(_mpi_missing() is not None, reason=str(_mpi_missing()))
TIMEOUT = 900


def run_script(tmp_path, n_ranks, mode=None, env=None, timeout=TIMEOUT, script=SCRIPT):
    out = str(tmp_path / f"out{n_ranks}{mode or ''}.pkl")
    cmd = [sys.executable, "-W", "ignore", script, out] + ([mode] if mode else [])
    if n_ranks:
        cmd = ["mpiexec", "-n", str(n_ranks)] + cmd
    environ = dict(os.environ, PYTHONPATH=ROOT, SPINNAKER2_MPI_TIMEOUT="300")
    environ.update(env or {})
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=timeout, env=environ)
    data = None
    if proc.returncode == 0:
        with open(out, "rb") as f:
            data = pickle.load(f)
    return proc, data


def other_ranks(tmp_path, n_ranks, mode=None):
    """What ranks 1 .. n_ranks - 1 wrote (scripts that have every rank write its answers)."""
    out = str(tmp_path / f"out{n_ranks}{mode or ''}.pkl")
    answers = []
    for r in range(1, n_ranks):
        with open(f"{out}.rank{r}", "rb") as f:
            answers.append(pickle.load(f))
    return answers


def assert_same(one, many, path="result"):
    if isinstance(one, dict):
        assert one.keys() == many.keys(), path
        for key in one:
            if key not in ("rank", "num_processes", "exchange", "local_E", "local_plastic", "computing PEs"):
                assert_same(one[key], many[key], f"{path}/{key}")
    elif isinstance(one, (list, tuple)):
        assert len(one) == len(many), path
        for k, (a, b) in enumerate(zip(one, many)):
            assert_same(a, b, f"{path}[{k}]")
    elif isinstance(one, np.ndarray):
        assert one.dtype == many.dtype and one.shape == many.shape, path
        assert np.ascontiguousarray(one).tobytes() == np.ascontiguousarray(many).tobytes(), f"{path} differs"
    else:
        assert one == many, path


@pytest.fixture(scope="module")
def one_process(tmp_path_factory):
    proc, data = run_script(tmp_path_factory.mktemp("one"), 0)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return data


@needs_mpi
def test_two_ranks_give_the_answers_of_one_process(tmp_path, one_process):
    proc, two = run_script(tmp_path, 2)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert two["num_processes"] == 2 and two["rank"] == 0
    assert sum(len(t) for t in one_process["spikes"]["E"]) > 500
    assert_same(one_process, two)
    assert two["exchange"]["bytes sent"] > 0, "packets crossed between the ranks"
    assert 0 < two["local_E"] < len(one_process["spikes"]["E"]), "gather=False gives this rank's cells"
    with open(str(tmp_path / "out2.pkl") + ".E.pkl", "rb") as f:     # written by rank 0 alone, whole
        assert len(pickle.load(f).segments[0].spiketrains) == 120


@needs_mpi
@pytest.mark.slow
def test_four_ranks_oversubscribed_give_the_answers_of_one_process(tmp_path, one_process):
    proc, four = run_script(tmp_path, 4)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert four["num_processes"] == 4
    assert_same(one_process, four)


@needs_mpi
@pytest.mark.slow
def test_plastic_synapses_on_four_ranks_oversubscribed(tmp_path):
    proc, one = run_script(tmp_path, 0, script=PLASTIC_SCRIPT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    proc, four = run_script(tmp_path, 4, script=PLASTIC_SCRIPT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert_same(one, four)
    for other in other_ranks(tmp_path, 4):
        assert_same(one, other)


@needs_mpi
def test_a_failing_rank_aborts_every_rank_naming_it(tmp_path):
    proc, _ = run_script(tmp_path, 2, "raise", timeout=600)
    assert proc.returncode != 0
    assert "MPI rank 1 of 2: ValueError: deliberate failure on rank 1; aborting all ranks" in proc.stderr


@needs_mpi
def test_a_dying_rank_ends_the_others(tmp_path):
    """Rank 1 exits with status 3 without a word: mpiexec ends rank 0 and returns that status."""
    proc, _ = run_script(tmp_path, 2, "exit", timeout=600)
    assert proc.returncode == 3


@needs_mpi
def test_two_ranks_with_the_parallel_paradigm(tmp_path):
    """Dominant PEs take their packets from the exchanged outboxes as serial PEs do."""
    proc, one = run_script(tmp_path, 0, "parallel")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert one["report"]["populations"][0].paradigm == "parallel"
    proc, two = run_script(tmp_path, 2, "parallel")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert_same(one, two)


@needs_mpi
def test_plastic_synapses_and_a_changed_network_on_two_ranks(tmp_path):
    """STDP, Tsodyks-Markram and stochastic rows live on the rank of their target: spikes, the
    learnt weights read back on every rank, weights set between runs, a projection added mid-run
    (the state and the input under way carried over) and a reset give one process's answers."""
    proc, one = run_script(tmp_path, 0, script=PLASTIC_SCRIPT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    proc, two = run_script(tmp_path, 2, script=PLASTIC_SCRIPT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 0 < two["local_plastic"] < one["local_plastic"], "each rank holds a share of the plastic rows"
    (second,) = other_ranks(tmp_path, 2)
    assert_same(one, second)
    learned = one["learned"][~np.isnan(one["learned"])]
    assert learned.std() > 0.01
    np.testing.assert_allclose(one["set"][~np.isnan(one["set"])], 0.3, rtol=1e-6)     # float32 rows
    assert sum(len(t) for t in one["spikes"]["post"]) > 300
    assert_same(one, two)
    assert two["exchange"]["bytes sent"] > 0


@needs_mpi
def test_nengo_models_on_two_ranks(tmp_path):
    """nengo_spinnaker2.Simulator under mpiexec: value packets cross the ranks every step, the host
    runs on every rank and reads relays gathered from their ranks, learned matrices and encoders
    are read from the ranks that hold them; every probe's data equals one process's, bit for bit."""
    proc, one = run_script(tmp_path, 0, script=NENGO_SCRIPT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    proc, two = run_script(tmp_path, 2, script=NENGO_SCRIPT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert_same(one, two)
    (second,) = other_ranks(tmp_path, 2)
    assert_same(one, second)
    for name, data in two.items():
        assert 0 < data["computing PEs"] < data["all computing PEs"], f"{name}: both ranks emulate PEs"
        assert data["exchange"]["bytes sent"] > 0, f"{name}: value packets crossed the ranks"
    learned = one["learning"]
    assert np.abs(learned["weights"][-1] - learned["weights"][0]).max() > 1e-5, "PES changed the decoders"
    assert np.abs(learned["encoders"][-1] - learned["encoders"][0]).max() > 0.1, "Voja moved the encoders"
    assert np.abs(one["host in the loop"]["square"]).max() > 0.5
    assert one["host in the loop"]["A spikes"].sum() > 0


@needs_mpi
def test_a_hanging_rank_times_out_on_the_others(tmp_path):
    proc, _ = run_script(tmp_path, 2, "hang", env={"SPINNAKER2_MPI_TIMEOUT": "10"}, timeout=600)
    assert proc.returncode != 0
    assert "MPI rank 0 of 2: no answer from the other ranks within 10 s while" in proc.stderr


@needs_mpi
def test_ranks_that_build_different_networks_are_refused(tmp_path):
    proc, _ = run_script(tmp_path, 2, "differ", timeout=600)
    assert proc.returncode != 0
    assert "MPI ranks [1] built a different network from rank 0" in proc.stderr


@needs_mpi
def test_a_launcher_of_another_mpi_is_refused():
    """Open MPI's launcher says 2 processes, but this process's MPI (MPICH) sees only itself."""
    env = dict(os.environ, PYTHONPATH=ROOT, OMPI_COMM_WORLD_SIZE="2", OMPI_COMM_WORLD_RANK="0")
    for name in ("PMI_SIZE", "PMIX_SIZE", "PMI_RANK"):
        env.pop(name, None)
    proc = subprocess.run([sys.executable, "-c", "import pynn_spinnaker2"], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=300)
    assert proc.returncode != 0
    assert "the MPI launcher started 2 processes but MPI reports 1" in proc.stderr


def test_a_single_process_needs_no_mpi():
    """Without an MPI launcher, mpi4py is not even imported."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PMI", "OMPI", "PMIX"))}
    code = "import sys, pynn_spinnaker2 as sim; sim.setup(); print(sim.num_processes(), sim.rank(), 'mpi4py' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env=dict(env, PYTHONPATH=ROOT), timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["1", "0", "False"]


@needs_mpi
def test_pynn_distrib_example_runs_on_two_ranks(tmp_path):
    """PyNN's own MPI example (``examples/distrib_example.py`` of its sdist): rank and number of
    processes agree with mpi4py's."""
    from tests.pynn.pynn_sdist import sdist_root

    script = sdist_root() / "examples" / "distrib_example.py"
    proc = subprocess.run(["mpiexec", "-n", "2", sys.executable, "-W", "ignore", str(script), "spinnaker2"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=600,
                          env=dict(os.environ, PYTHONPATH=ROOT, SPINNAKER2_MPI_TIMEOUT="300"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "This is node 0 (1 of 2)" in proc.stdout and "This is node 1 (2 of 2)" in proc.stdout
    assert "gathered (3, again): [0. 1. 2. 3. 4. 0. 1. 2. 3. 4. 5. 6. 7. 8. 9.]" in proc.stdout
