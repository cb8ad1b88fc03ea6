"""The emulated machine's run-time state, grouped by the hardware unit that holds it, as numba
namedtuples of arrays: what the kernels take instead of long argument lists."""
from collections import namedtuple

# every neuron's model data on its PE (global index = population offset + neuron index)
Neurons = namedtuple("Neurons", [
    "constants",     # float32 (N, k): derived parameters
    "fstate",        # float32 (N, k): state variables
    "istate",        # int32 (N, k): refractory counters, spike-source cursors
    "events",        # int32: event-driven sources' event steps (SpikeSourceArray spikes, schedule bins)
    "table",         # float32 (E, 2): values belonging to each event (a schedule bin's parameters)
    "syn_in",        # float32 (N, receptors): this step's synaptic input, scaled
    "i_inject",      # float32 (N,): this step's injected current (nA)
    "counts",        # int32 (N,): spikes each neuron emits this step
    "window_counts",  # int32 (window, N) for local spike sources (else (window, 0)): their spikes in
                     # each step of the window, drawn a window at a time (``neurons.local_sources``)
    "source_constants",  # float32 (k, N) (else (k, 0)): ``constants`` column-major, kept for local
                     # spike sources, whose draws then vectorise across sources
    "rng",           # uint64 (N,): one random stream per neuron
    "carried",       # int64 (steps, n, receptors): input under way when the network changed, in weight steps
    "carried_from",  # int64: the step ``carried[0]`` belongs to
    "scratch",       # float64 (threads, rows, columns): each thread's working memory (an ODE step's
                     # stages, a value filter's next state): the step loop allocates nothing
])

# the packets each PE sends in a window of steps (a spike: one per spiking neuron and step, its
# spike count as payload); PE v's packets sit at [start[v], start[v] + size[v])
Outbox = namedtuple("Outbox", [
    "step",          # int32: step within the window
    "key",           # uint32: the packet's key
    "neuron",        # int32: the spiking neuron's global index (for recording), -1 if none
    "payload",       # int32: spike count (or a value's bits)
    "packet",        # bool: sent as a packet (False: a local source's spike, noted for recording)
    "value",         # float32 view of the same payload words: a decoded value
    "start",         # int64 (V,): each PE's first entry
    "size",          # int64 (V,): entries the PE made in this window
])

# routes resolved at load from the routing tables: where each PE's packets go
Routes = namedtuple("Routes", [
    "dest_start", "dest",          # CSR: source PE -> receiving PEs
    "src_start", "src",            # CSR: receiving PE -> source PEs (the inverse)
    "src_key", "src_mask",         # the key range of each of those sources (a PE may send several)
    "src_stages",                  # per src entry: bit s - 1 if a delay PE's stage s reaches it (-1: all)
    "stage_shift",                 # int64 (1,): a delay PE's stage s - 1 is (key - its base key) >> this
    "drops",                       # per source PE: chips its packets reach with no entry
    "receivers",                   # PEs that receive packets
    "senders",                     # PEs that send packets
    "visit_start", "visit",        # CSR: source PE -> the chips whose routers handle its packets
    "hop_start", "hop",            # CSR: source PE -> the links its packets cross (chip * 6 + link)
    "router_load", "link_load",    # int64 counters: packets per router, per link
])

# what the machine records: spikes of chosen neurons, samples of state variables
Recording = namedtuple("Recording", [
    "spiking",                     # bool (N,): record this neuron's spikes
    "n_spiking",                   # int64: how many neurons that is
    "step", "neuron", "count",     # recorded spikes
    "n_spikes",                    # int64 (1,): filled entries
    "g0", "n", "column", "interval", "base", "row0",   # one row per recorded variable (its population)
    "samples",                     # float32: every sample, per variable block
])

# the parallel paradigm's run-time buffers: each dominant's input spike buffer (a ring of ``depth``
# per-step spike lists over its sources), stacked input rows, and column accumulators
Stacked = namedtuple("Stacked", [
    "count", "sources",            # int32 (depth x n_source per slice): counts; the sources listed
    "length",                      # int64 (depth per slice): listed sources per step
    "off", "len_off", "depth",     # per slice: where its ring starts, its depth (a power of two)
    "rows", "touched",             # int64 per map row: stacked input; the rows with input this step
    "acc",                         # int64 per column: the MAC array's 32-bit accumulators
])

# current sources on the neuron PEs (``mapping/currents.py``): each source's schedule, and per
# neuron its injections (CSR over global neurons), each holding the current for the coming step
Currents = namedtuple("Currents", [
    "kind",          # int64 (S,): DC, AC, STEP, NOISE
    "param",         # float64 (S, k): start/stop steps, amplitude or mean, offset or stdev, ...
    "step_start",    # int64 (S + 1,): each step source's range of ``step_at``/``step_amp``
    "step_at", "step_amp",         # step sources: the step each amplitude starts at, and the amplitude
    "inj_start",     # int64 (N + 1,): neuron i's injections are [inj_start[i], inj_start[i + 1])
    "inj_source",    # int64 (E,): the source of each injection
    "inj_value",     # float32 (E,): the current each injection gives in the coming step (nA)
    "inj_record",    # int64 (E,): column of the recorded samples, -1 if not recorded
    "samples",       # float32: recorded injections, one row per step of the run
    "t0",            # int64 (1,): the run's first step
])

# the whole machine, as the step loop sees it
Machine = namedtuple("Machine", [
    "pes",           # ``mapping.images.PEImages``: per-PE configuration
    "feeds",         # neuron PE -> the PEs whose synaptic input buffers it sums
    "serial",        # ``mapping.images.SerialImages``: master population tables, rows
    "local",         # ``mapping.images.LocalImages``: spike sources run on their targets' PEs
    "parallel",      # ``mapping.parallel.images.ParallelImages``: weight-delay maps and tables
    "stacked",       # ``Stacked``: the parallel paradigm's run-time buffers
    "routes", "nrn", "outbox", "rec",
    "ring",          # int64: every PE's synaptic input buffer
    "stats",         # int64 (V, len(kernel.STATS)): counters per PE
    "currents",      # ``Currents``: current sources on the neuron PEs
    "delays",        # ``mapping.images.DelayImages``: delay PEs' stages
    "plastic",       # ``mapping.plastic.Plastic``: plastic rows, rules, postsynaptic histories
    "values",        # ``mapping.values.ValueImages``: value PEs' tables and state
])
