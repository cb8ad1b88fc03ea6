"""The emulated machine spread over MPI ranks (mpi4py), with the results of one process.

Each rank holds the memory images of its own PEs (``mapping/ranks.py``), runs them with the
kernel's two phases and, between the phases of every window, sends the packets of its PEs that
have targets on other ranks to those ranks: once per window of the network's minimum delay, as
NEST exchanges spikes, since no packet acts before then (``kernel.py``). A received PE's packets
are placed in its outbox exactly as the sending rank holds them, so every receiving PE processes
its packets in the order of one process (sources in PE order, each source's packets in the order
sent): spike trains, recorded signals, statistics and the mapping report are bit for bit those
of one process, for any number of ranks.

Value packets (decoded values with a float payload, ``values.py``) travel the same way; a
network of them has one-step windows. When the host is in the loop (``Emulator.run(between=...)``:
nodes that read relays and feed playback PEs within each step), each of the step's two stages
exchanges its own senders' packets, and the relays' outputs are gathered from their ranks before
the host, which runs on every rank alike, reads them. Plastic rows stay on the rank of their
target; their weights are read from and written to the rank that holds each row. A network
changed mid-run carries over the input under way, which a silenced copy of the machine works out
with the same exchange (``Emulator.pending_input``).

After each run the ranks gather what the user reads back (spikes, recorded signals and current,
neuron state, learned value matrices and encoders, plastic weights, counters), so every rank
answers every query as one process would. Every wait on
other ranks has a time limit (``SPINNAKER2_MPI_TIMEOUT`` seconds, default 600); a rank that fails
or times out aborts them all (``MPI_Abort``) with a message naming it, rather than leaving the
others waiting.
"""
from __future__ import annotations

import os
import sys
import time

import numba
import numpy as np
from numba import njit, prange

from ..mapping.ranks import fingerprint, owned_neurons, recorder_pe
from ..mapping.serial import words_per_synapse
from . import kernel
from .emulator import Emulator, default_threads, outbox as new_outbox
from .state import Machine
from .stats import STATS

TIMEOUT = float(os.environ.get("SPINNAKER2_MPI_TIMEOUT", 600))
SPIN = 2e-3         # seconds a wait polls before it sleeps: a step's exchange takes tens of microseconds
ABORT_GRACE = 0.5      # seconds a failing rank waits after its message before it ends every rank
# the variables MPI launchers set to the number of processes they started
LAUNCH_SIZE = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS")

_world = None


def launched_size() -> int | None:
    """How many processes an MPI launcher started this one among (None: not started by one)."""
    for name in LAUNCH_SIZE[:3]:
        if os.environ.get(name, "").isdigit():
            return int(os.environ[name])
    return None


def world():
    """MPI's world communicator when this process is one of several MPI ranks, else None. mpi4py
    is imported only then, so a single process never needs it."""
    global _world
    if _world is not None:
        return _world or None
    size = launched_size()
    if size is None or size < 2:
        _world = False
        return None
    try:
        from mpi4py import MPI
    except ImportError:
        raise RuntimeError(f"this process was started by an MPI launcher as one of {size} processes, but "
                           "mpi4py is not installed; install it with pip install 'pynn_spinnaker2[mpi]' "
                           "(mpi4py and the mpich runtime), or run a single process") from None
    comm = MPI.COMM_WORLD
    if comm.Get_size() != size:
        message = (f"the MPI launcher started {size} processes but MPI reports {comm.Get_size()}: mpi4py "
                   f"uses another MPI library ({MPI.Get_library_version().splitlines()[0].strip()}) than the "
                   "mpiexec that started this; use the mpiexec of the same MPI (pip's mpich provides one)")
        if comm.Get_size() > 1:
            abort(comm, message)
        raise RuntimeError(message)
    _abort_on_uncaught(comm)
    _world = comm
    return comm


def abort(comm, message: str):
    """Print ``message`` naming this rank and end every rank."""
    print(f"pynn_spinnaker2: MPI rank {comm.Get_rank()} of {comm.Get_size()}: {message}; aborting all ranks",
          file=sys.stderr, flush=True)
    time.sleep(ABORT_GRACE)      # mpiexec forwards what a rank wrote only while the rank lives
    comm.Abort(1)


def _abort_on_uncaught(comm):
    """An exception no one catches on one rank ends every rank (the others would wait for it forever)."""
    previous = sys.excepthook

    def hook(kind, value, traceback):
        try:
            previous(kind, value, traceback)
        finally:
            abort(comm, f"{kind.__name__}: {value}")

    sys.excepthook = hook


def wait(comm, request, what: str, timeout: float | None = None):
    """Wait for a non-blocking MPI operation, at most ``timeout`` seconds; abort every rank if the
    others do not answer (a rank died, hangs, or runs a different script)."""
    if request.Test():
        return
    timeout = TIMEOUT if timeout is None else timeout
    start = time.monotonic()
    while not request.Test():
        waited = time.monotonic() - start
        if waited > SPIN:           # then leave the core to oversubscribed ranks
            time.sleep(1e-4 if waited < 1.0 else 1e-3)
        if waited > timeout:
            abort(comm, f"no answer from the other ranks within {timeout:g} s while {what} (a rank died, "
                        "hangs, or runs a different script; SPINNAKER2_MPI_TIMEOUT sets the limit)")


def allreduce_sum(comm, a: np.ndarray, what: str) -> np.ndarray:
    from mpi4py import MPI
    out = np.empty_like(a)
    wait(comm, comm.Iallreduce(np.ascontiguousarray(a), out, op=MPI.SUM), what)
    return out


def allgatherv(comm, a: np.ndarray, what: str) -> np.ndarray:
    """Every rank's 1-D array, concatenated in rank order."""
    sizes = np.zeros(comm.Get_size(), dtype=np.int64)
    wait(comm, comm.Iallgather(np.array([a.size], dtype=np.int64), sizes), what)
    out = np.empty(int(sizes.sum()), dtype=a.dtype)
    displ = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    wait(comm, comm.Iallgatherv(np.ascontiguousarray(a), [out, (sizes.tolist(), displ.tolist())]), what)
    return out


def owner_select(comm, a: np.ndarray, mine: np.ndarray, what: str) -> np.ndarray:
    """``a`` with every item taken from the rank that owns it (``mine`` along the first axis): the
    owners' bits summed with zeros elsewhere, so values come through exactly (NaN and -0 too)."""
    bits = np.ascontiguousarray(a).view(np.int32 if a.itemsize == 4 else np.int64)
    mask = mine.reshape(mine.shape + (1,) * (a.ndim - 1))
    return allreduce_sum(comm, np.where(mask, bits, 0).astype(bits.dtype), what).view(a.dtype).reshape(a.shape)


# -- the window's phases and the packet exchange, compiled -------------------------------------

def _phase1(t, steps, computing, threads, queue, pes, feeds, syn, local, par, stacked, routes, nrn, outbox, rec, ring, stats,
            currents, dly, plast, vals):
    """Phase 1 and the bookkeeping of one window on this rank's computing PEs (``kernel.py``)."""
    queue[0] = 0
    for _ in prange(threads):
        kernel.compute(computing, queue, t, steps,
                       Machine(pes, feeds, syn, local, par, stacked, routes, nrn, outbox, rec, ring, stats, currents,
                               dly, plast, vals))
    kernel.bookkeeping(t, computing,
                       Machine(pes, feeds, syn, local, par, stacked, routes, nrn, outbox, rec, ring, stats, currents,
                               dly, plast, vals))


def _phase2(t, receivers, threads, queue, pes, feeds, syn, local, par, stacked, routes, nrn, outbox, rec, ring, stats, currents,
            dly, plast, vals):
    """Phase 2 of one window on this rank's receiving PEs."""
    queue[0] = 0
    for _ in prange(threads):
        kernel.deliver(receivers, queue, t,
                       Machine(pes, feeds, syn, local, par, stacked, routes, nrn, outbox, rec, ring, stats, currents,
                               dly, plast, vals))


phase1 = njit(**kernel.LOOP)(kernel._twin(_phase1, "phase1"))
phase1_parallel = njit(parallel=True, **kernel.LOOP)(kernel._twin(_phase1, "phase1_parallel"))
phase2 = njit(**kernel.LOOP)(kernel._twin(_phase2, "phase2"))
phase2_parallel = njit(parallel=True, **kernel.LOOP)(kernel._twin(_phase2, "phase2_parallel"))

WORDS = 3           # a packet on the wire: step in the window, key, payload (int32 each)


@njit(cache=True, nogil=True)
def pack_sizes(outbox, send_pe, send_start, words):
    """int32 words for each rank: one count per PE on its list, three words per packet."""
    for r in range(send_start.size - 1):
        n = send_start[r + 1] - send_start[r]
        for i in range(send_start[r], send_start[r + 1]):
            u = send_pe[i]
            for e in range(outbox.start[u], outbox.start[u] + outbox.size[u]):
                if outbox.packet[e]:
                    n += WORDS
        words[r] = n


@njit(cache=True, nogil=True)
def pack(outbox, send_pe, send_start, buffer, displ):
    """Each rank's segment: the packet count of every PE on its list, then their packets in order."""
    for r in range(send_start.size - 1):
        head = displ[r]
        at = head + send_start[r + 1] - send_start[r]
        for i in range(send_start[r], send_start[r + 1]):
            u = send_pe[i]
            c = 0
            for e in range(outbox.start[u], outbox.start[u] + outbox.size[u]):
                if outbox.packet[e]:
                    buffer[at] = outbox.step[e]
                    buffer[at + 1] = np.int32(np.int64(outbox.key[e]) - (np.int64(1) << 32)
                                              if outbox.key[e] >= np.uint32(1 << 31) else np.int64(outbox.key[e]))
                    buffer[at + 2] = outbox.payload[e]
                    at += WORDS
                    c += 1
            buffer[head + i - send_start[r]] = c


@njit(cache=True, nogil=True)
def unpack(outbox, recv_pe, recv_start, buffer, displ):
    """Every received PE's packets into its outbox, as its own rank holds them."""
    for s in range(recv_start.size - 1):
        head = displ[s]
        at = head + recv_start[s + 1] - recv_start[s]
        for i in range(recv_start[s], recv_start[s + 1]):
            u = recv_pe[i]
            c = buffer[head + i - recv_start[s]]
            e0 = outbox.start[u]
            for j in range(c):
                outbox.step[e0 + j] = buffer[at]
                outbox.key[e0 + j] = np.uint32(np.int64(buffer[at + 1]) & np.int64(0xFFFFFFFF))
                outbox.payload[e0 + j] = buffer[at + 2]
                outbox.neuron[e0 + j] = -1
                outbox.packet[e0 + j] = True
                at += WORDS
            outbox.size[u] = c


def exchange_lists(routes, owner, rank, n_ranks):
    """(PEs, CSR start) per other rank of the PEs whose packets go there from this rank, and of the
    PEs whose packets come here from it, each in PE order."""
    send = [[] for _ in range(n_ranks)]
    recv = [[] for _ in range(n_ranks)]
    for u in routes.senders:
        ranks = np.unique(owner[routes.dest[routes.dest_start[u]:routes.dest_start[u + 1]]])
        if owner[u] == rank:
            for r in ranks[ranks != rank]:
                send[r].append(u)
        elif rank in ranks:
            recv[owner[u]].append(u)
    csr = (lambda lists: (np.array([u for lst in lists for u in lst], dtype=np.int64),
                          np.concatenate([[0], np.cumsum([len(lst) for lst in lists])]).astype(np.int64)))
    return csr(send), csr(recv)


class DistributedEmulator(Emulator):
    """An :class:`Emulator` of the PEs a rank owns (``share.owner``), answering as one process.
    Every rank must make the same calls in the same order (as an MPI program does)."""

    def __init__(self, program, share, comm, seed: int | None = None, threads: int | None = None):
        self.comm, self.share = comm, share
        self.rank, self.n_ranks = comm.Get_rank(), comm.Get_size()
        if share.n_ranks != self.n_ranks or share.rank != self.rank:
            raise ValueError(f"the program was compiled as rank {share.rank} of {share.n_ranks}, but this is rank "
                             f"{self.rank} of {self.n_ranks}")
        self.owner = share.owner
        self._owned = owned_neurons(program, self.owner, self.rank)
        self._recorder = recorder_pe(program)
        self.exchanged_bytes = 0          # sent by this rank to others
        self.exchange_seconds = 0.0
        self.windows = 0
        if seed is None:                  # every rank must draw the same random streams
            seed = int(comm.bcast(int(np.random.SeedSequence().entropy % 2**63), root=0))
        super().__init__(program, seed=seed, threads=1)
        mine = self.owner == self.rank
        self._every_computing = self._computing          # on every rank (the stages' exchange lists)
        self._computing = self._computing[mine[self._computing]]
        self._receivers = self.routes.receivers[mine[self.routes.receivers]]
        (self._send_pe, self._send_start), (self._recv_pe, self._recv_start) = \
            exchange_lists(self.routes, self.owner, self.rank, self.n_ranks)
        # outbox room for this rank's PEs and for those whose packets it receives
        room = np.diff(np.append(self._outbox.start, self._outbox.step.size))
        needed = mine.copy()
        needed[self._recv_pe] = True
        self._outbox = new_outbox(np.where(needed, room // self.window, 0), self.window)
        shared = comm.Split_type(_shared_type()).Get_size()
        self.threads = int(threads) if threads is not None else \
            min(default_threads(self._computing.size), max(1, numba.config.NUMBA_NUM_THREADS // shared))

    # -- running: windows with an exchange between the phases --------------------------------
    def _advance(self, steps, t, target, machine) -> int:
        parallel = self.threads > 1
        first, second = (phase1_parallel, phase2_parallel) if parallel else (phase1, phase2)
        rec, t0, seen = machine.rec, t, 0
        while t < target:
            n = min(self.window, target - t)
            if seen + rec.n_spiking * n > rec.step.size:       # the same decision on every rank
                break
            before = rec.n_spikes[0]
            first(t, n, self._computing, self.threads, self._queue, *machine)
            seen += self._exchange(machine.outbox, int(rec.n_spikes[0] - before), t)
            second(t, self._receivers, self.threads, self._queue, *machine)
            t += n
        self._gather_current_samples(machine.currents.samples[:t - t0])
        return t

    def _exchange(self, outbox, recorded: int, t: int, lists=None) -> int:
        """Send this window's packets to the ranks that hold their targets and take theirs; returns
        how many spikes all ranks recorded in the window. ``lists``: only these senders' packets
        (send and receive lists as ``exchange_lists``; default: every sender's)."""
        from mpi4py import MPI
        send_pe, send_start, recv_pe, recv_start = lists if lists is not None else \
            (self._send_pe, self._send_start, self._recv_pe, self._recv_start)
        start = time.perf_counter()
        counts = np.zeros((self.n_ranks, 2), dtype=np.int64)
        words = np.zeros(self.n_ranks, dtype=np.int64)
        pack_sizes(outbox, send_pe, send_start, words)
        counts[:, 0], counts[:, 1] = words, recorded
        got = np.empty_like(counts)
        what = f"exchanging packets at step {t}"
        wait(self.comm, self.comm.Ialltoall(counts, got), what)
        send_displ = np.concatenate([[0], np.cumsum(counts[:, 0])[:-1]])
        recv_displ = np.concatenate([[0], np.cumsum(got[:, 0])[:-1]])
        send = np.empty(int(counts[:, 0].sum()), dtype=np.int32)
        pack(outbox, send_pe, send_start, send, send_displ)
        received = np.empty(int(got[:, 0].sum()), dtype=np.int32)
        wait(self.comm, self.comm.Ialltoallv([send, (counts[:, 0].tolist(), send_displ.tolist()), MPI.INT32_T],
                                             [received, (got[:, 0].tolist(), recv_displ.tolist()), MPI.INT32_T]), what)
        unpack(outbox, recv_pe, recv_start, received, recv_displ)
        self.exchanged_bytes += send.nbytes
        self.windows += 1
        self.exchange_seconds += time.perf_counter() - start
        return int(got[:, 1].sum())

    def _only(self, senders: np.ndarray):
        """The exchange lists restricted to the PEs in ``senders`` (a step's stage runs only some)."""
        keep = np.zeros(len(self.owner), dtype=bool)
        keep[senders] = True
        out = []
        for pe, start in ((self._send_pe, self._send_start), (self._recv_pe, self._recv_start)):
            segment = np.repeat(np.arange(self.n_ranks), np.diff(start))
            kept = keep[pe]
            out += [pe[kept], np.concatenate([[0], np.cumsum(np.bincount(segment[kept], minlength=self.n_ranks))])
                    .astype(np.int64)]
        return tuple(out)

    def _stage(self, t, stage, machine):
        """One stage of step ``t`` (``Emulator._run_staged``): phase 1 on this rank's PEs among
        the stage's computing PEs, their packets exchanged, phase 2 on its receivers."""
        computing, receivers, lists = stage
        first, second = (phase1_parallel, phase2_parallel) if self.threads > 1 else (phase1, phase2)
        first(t, 1, computing, self.threads, self._queue, *machine)
        self._exchange(machine.outbox, 0, t, lists)
        second(t, receivers, self.threads, self._queue, *machine)

    def _stages(self, first):
        """As one process's, on this rank's PEs, with each stage's exchange lists; the outputs of
        the PEs the host reads (``first``: its input relays) are gathered before it reads them."""
        playback, everyone = self.values.playback, self._every_computing
        self._host_reads = self._neurons_of(first)
        one, two = super()._stages(first)
        return one + (self._only(everyone[~playback[everyone]]),), two + (self._only(everyone[playback[everyone]]),)

    def _before_host(self, t):
        read = self._host_reads
        if read.any():
            self.fstate[read] = owner_select(self.comm, self.fstate[read], self._owned[read],
                                             f"gathering the values the host reads at step {t}")

    def _neurons_of(self, pes: np.ndarray) -> np.ndarray:
        """bool per global neuron: run by one of ``pes``."""
        im = self.program.images
        mask = np.zeros(len(self.fstate), dtype=bool)
        for v in pes.tolist():
            mask[im.pes.g0[v]:im.pes.g0[v] + im.pes.n[v]] = True
        return mask

    def _prime_stage(self):
        return super()._prime_stage() + (self._only(np.flatnonzero(self.values.playback)),)

    def value_matrix(self, projection: int) -> np.ndarray:
        """The matrix as the sending PEs hold it now, each block from the rank of its PE."""
        local = super().value_matrix(projection)
        vi, n = self.values, self.program.images.pes.n
        mine = np.zeros(local.shape, dtype=bool)
        for b in np.flatnonzero(vi.blk_projection == projection):
            v = np.flatnonzero((vi.blk_start <= b) & (b < vi.blk_start + vi.blk_count))[0]
            mine[vi.blk_row0[b]:vi.blk_row0[b] + vi.blk_rows[b], vi.blk_col0[b]:vi.blk_col0[b] + n[v]] = \
                self.owner[v] == self.rank
        label = self.program.network.value_projections[projection].label
        return owner_select(self.comm, local.ravel(), mine.ravel(),
                            f"gathering value projection {label!r}'s matrix").reshape(local.shape)

    def encoders(self, pop: int) -> np.ndarray:
        """The encoders as the population's PEs hold them now, each from the rank of its PE."""
        local = super().encoders(pop)
        rows = self._rows(pop)
        return owner_select(self.comm, local, self._owned[rows],
                            f"gathering population {self.program.network.populations[pop].label!r}'s encoders")

    def _gather_current_samples(self, samples):
        if samples.size:
            image = self._current_image
            recorded = image.inj_record >= 0
            columns = np.zeros(samples.shape[1], dtype=bool)
            columns[image.inj_record[recorded]] = self._owned[image.inj_neuron[recorded]]
            samples[:] = owner_select(self.comm, samples.T, columns, "gathering recorded current").T

    def _gather(self, rec, chunks):
        """After a run, every rank gets what all ranks recorded, and the neuron state they hold."""
        comm = self.comm
        local = self._spikes[chunks:] or [(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int32))]
        step, neuron, count = (allgatherv(comm, np.concatenate(c), "gathering spikes") for c in zip(*local))
        order = np.lexsort((self._recorder[neuron], step))    # one process's order: by step, then PE
        self._spikes[chunks:] = [(step[order], neuron[order], count[order])]
        if rec.samples.size:
            mine = np.zeros(rec.samples.size, dtype=bool)
            for r in range(rec.g0.size):
                n, end = rec.n[r], rec.base[r + 1] if r + 1 < rec.g0.size else rec.samples.size
                mine[rec.base[r]:end] = np.tile(self._owned[rec.g0[r]:rec.g0[r] + n], (end - rec.base[r]) // max(n, 1))
            rec.samples[:] = owner_select(comm, rec.samples, mine, "gathering recorded signals")
        self._sync_state()

    def _sync_state(self):
        comm = self.comm
        self.fstate[:] = owner_select(comm, self.fstate, self._owned, "gathering neuron state")
        self.istate[:] = owner_select(comm, self.istate, self._owned, "gathering neuron state")
        self.rng[:] = owner_select(comm, self.rng, self._owned, "gathering random streams")
        if self.inj_value.size:
            self.inj_value = owner_select(comm, self.inj_value, self._owned[self._current_image.inj_neuron],
                                          "gathering injected currents")
        self._stats_all = allreduce_sum(comm, self.stats, "summing statistics")
        self._router_all = allreduce_sum(comm, self.routes.router_load, "summing router load")
        self._link_all = allreduce_sum(comm, self.routes.link_load, "summing link load")

    # -- plastic synapses: their rows live on the rank of their target ------------------------
    def _plastic_projection(self, proj: int) -> dict:
        q = self.program.network.projections[proj]
        if proj not in self.program.images.plastic.projections and q.synapse is not None and q.size:
            # plastic, but none of its synapses is on this rank
            wide = words_per_synapse(self.program.network.populations[q.post].weight_bits) == 2
            return dict(kind=q.synapse.kind, scale=float(self.share.scales[q.post, q.receptor]),
                        weight_word=np.zeros(0, np.int64), wide=wide)
        return super()._plastic_projection(proj)

    def _mine(self, proj: int) -> np.ndarray:
        keep = self.share.kept.get(proj)
        return np.ones(self.program.network.projections[proj].size, bool) if keep is None else keep

    def _held(self, proj: int, values: np.ndarray) -> np.ndarray:
        return values[self._mine(proj)]

    def weights(self, proj: int) -> np.ndarray:
        """Every synapse's current weight, each from the rank that holds its row."""
        local = super().weights(proj)
        mine = self._mine(proj)
        whole = np.zeros(mine.size, dtype=np.float64)
        whole[mine] = local
        return owner_select(self.comm, whole, mine,
                            f"gathering the weights of projection {self.program.network.projections[proj].label!r}")

    def reset(self):
        super().reset()
        self._stats_all = np.zeros_like(self.stats)
        self._router_all = np.zeros_like(self.routes.router_load)
        self._link_all = np.zeros_like(self.routes.link_load)

    # -- changing the network mid-run ----------------------------------------------------------
    def _pending_step(self, t, machine):
        """The silenced copy's step on this rank's PEs, its packets exchanged as in a run."""
        counters = self.exchanged_bytes, self.windows, self.exchange_seconds
        self._stage(t, (self._computing, self._receivers, None), machine)
        self.exchanged_bytes, self.windows, self.exchange_seconds = counters

    def pending_input(self) -> np.ndarray:
        """The input under way to every neuron, each taken from the rank that owns the neuron (its
        input buffers; delay PEs and senders on other ranks exchanged their packets)."""
        out = super().pending_input()
        return np.ascontiguousarray(owner_select(self.comm, np.ascontiguousarray(out.transpose(1, 0, 2)), self._owned,
                                                 "gathering the input under way").transpose(1, 0, 2))

    def carry_over(self, old):
        """As one process (``Emulator.carry_over``): every rank has gathered the old machine's state
        and the input under way, and keeps the part its PEs hold in the changed machine."""
        super().carry_over(old)
        self._stats_before = old._stats_all.sum(axis=0) + old._stats_before

    def statistics(self) -> dict:
        return dict(zip(STATS, (self._stats_all.sum(axis=0) + self._stats_before).tolist()))

    def report(self):
        return self.program.report.with_runtime(self.statistics(), self.step * self.dt,
                                                {"load": self.load_seconds, "emulation": self.emulation_seconds},
                                                self._router_all, self._link_all)

    def exchange_summary(self) -> dict:
        """Bytes this rank sent to others, windows, and seconds spent exchanging (for benchmarks)."""
        return {"rank": self.rank, "bytes sent": int(self.exchanged_bytes), "windows": self.windows,
                "exchange seconds": self.exchange_seconds, "computing PEs": int(self._computing.size)}


def _shared_type():
    from mpi4py import MPI
    return MPI.COMM_TYPE_SHARED


def check_same_network(comm, network):
    """Every rank must have built the same network (same script, same random seeds); raises on every
    rank otherwise, naming the ranks that differ from rank 0."""
    digest = np.frombuffer(bytes.fromhex(fingerprint(network)), dtype=np.uint8)
    every = allgatherv(comm, digest, "comparing the ranks' networks").reshape(comm.Get_size(), -1)
    differ = [r for r in range(comm.Get_size()) if not np.array_equal(every[r], every[0])]
    if differ:
        raise RuntimeError(f"MPI ranks {differ} built a different network from rank 0 (populations, parameters or "
                           "connections differ): every rank must run the same script with the same random seeds "
                           "(e.g. a seeded RNG for random connectors)")
