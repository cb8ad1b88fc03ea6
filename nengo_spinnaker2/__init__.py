"""nengo_spinnaker2: run nengo models on (an emulation of) SpiNNaker2, through the same core as
PyNN networks.

``nengo_spinnaker2.Simulator(network)`` is a drop-in for ``nengo.Simulator(network)``. nengo's
builder builds the model (gains, biases, encoders, decoders, seeds); nothing nengo builds is
executed: ``builder.py`` lays the model out as core populations and *value projections*, the core
maps them onto PEs (partition, place, keys, routing tables, memory images) and the emulated chip
runs them step by step.

How a model is laid out, and why:

* **Ensembles** become populations whose PEs run the neuron type as a core model driven by an
  input current (LIF, rate curves, rate-to-spike converters, Izhikevich; ``neurons.py``); each
  PE holds its neurons' scaled encoders and biases and computes J = bias + e . x + neuron input.
* **Decoded connections** become value projections: each step the sending PE multiplies its
  neurons' outputs by decoders x transform and sends one packet per output dimension whose
  32-bit payload is the value (only the dimensions the connection can reach); the receiving PE
  sums the connections that share a synapse, filters each sum and encodes the total. This keeps traffic at one packet per dimension per step whatever the neuron
  counts, and keeps the decoders (d x n) instead of the weight matrix (n x n) in SRAM: the
  SpiNNaker1 backend's design, which fits the PEs far better than weights for the typical
  n >> d. Neuron-to-neuron connections (to ``ens.neurons``, or weight solvers) go the same way
  with one row per post neuron, which keeps their float weights exact and their synapse filter
  per connection (integer synaptic rows would quantise the weights and filter all connections
  onto a neuron alike); the mapping report lists every value projection with its rows and
  blocks.
* **Passthrough nodes** are folded away at build time (matrices multiply, synapses compose
  with nengo's one-step update delay between them), so an EnsembleArray costs no extra PEs.
* **Nodes** and Direct-mode ensembles run on the host (``host.py``): outputs enter the machine
  through playback populations, inputs leave through relay populations; a node that depends
  only on time is computed for a whole run in advance, one that reads the machine makes host
  and machine alternate every step.
* **Probes** record relay populations (decoded outputs filtered on a PE), neuron state, host
  values, learned matrices or learned encoders, with ``sample_every``.
* **Learning**: PES changes the decoders on the sending PEs from the error the PEs receive;
  BCM and Oja change neuron-to-neuron weights there from the post neurons' filtered output,
  sent back to them; Voja changes the post ensemble's encoders on the PEs that hold its
  neurons, from their own filtered output and the input they encoded in the step (the change of
  step t is added before the encoding of step t + 1, as in nengo), scaled by 1 + a connection
  into the rule. Probes of learned weights and encoders read them from the PEs.

Timing: a value sent in step t acts in step t + 1, which is exactly nengo's synapse (an update);
a connection without a synapse between two ensembles therefore acts one step later than in
nengo, as it does on any machine whose cores exchange packets between steps.
"""
from .simulator import Simulator

__all__ = ["Simulator"]
