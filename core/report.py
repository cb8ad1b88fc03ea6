"""What was mapped where and what it cost: the answer to ``sim.mapping()``."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .hardware import LINK_DIRECTIONS, N_LINKS, PES_PER_CHIP, pe_location
from .mapping.plastic import describe_rules


@dataclass
class PopulationMapping:
    label: str
    model: str
    size: int
    paradigm: str
    pes: list[tuple[int, int, int]]         # (chip, QPE, PE)
    storage: str                            # where its synaptic rows live
    sram_bytes: int
    dram_bytes: int
    sram_items: dict = field(default_factory=dict)     # bytes per Table I item, summed over its PEs
    paradigm_reason: str = ""                          # 'set', or how 'auto' chose
    roles: list = field(default_factory=list)          # per PE: neurons, synapses, dominant, subordinate
    pe_items: list = field(default_factory=list)       # per PE: bytes per Table I item


@dataclass
class DelayExtension:
    """The delay PEs of one source population (``mapping/delays.py``)."""
    source: str
    projections: list[str]                  # the projections whose long delays they serve
    stages: int
    stage_steps: int
    pes: list[tuple[int, int, int]]
    sram_bytes: int

    def describe(self) -> str:
        return (f"{self.source[:30]:<31} {len(self.pes)} delay PE(s), {self.stages} stage(s) of {self.stage_steps} "
                f"steps, {self.sram_bytes} B SRAM; serves {', '.join(self.projections)}")


@dataclass
class MappingReport:
    machine: str
    n_chips: int
    chips_used: int
    pes_used: int
    populations: list[PopulationMapping]
    routing_entries: dict[int, tuple[int, int]]   # chip -> (entries, entries before compression)
    quantisation: list
    compile_seconds: dict[str, float]
    runtime: dict = field(default_factory=dict)
    simulated_ms: float = 0.0
    run_seconds: dict = field(default_factory=dict)     # wall time loading and emulating
    plasticity: list = field(default_factory=list)      # one line per plastic projection: its rule
    pes_per_chip: dict = field(default_factory=dict)    # chip -> PEs used
    chip_xy: list = field(default_factory=list)         # grid position of every chip
    router_load: dict = field(default_factory=dict)     # chip -> packets its router handled
    link_load: dict = field(default_factory=dict)       # (chip, link) -> packets sent over it
    delay_extensions: list = field(default_factory=list)  # ``DelayExtension`` per extended source population

    @property
    def dropped_packets(self) -> int:
        return self.runtime.get("packets dropped (no routing entry)", 0) + \
            self.runtime.get("packets with no master population table entry", 0)

    def with_runtime(self, stats: dict, simulated_ms: float, seconds: dict, router_load=None,
                     link_load=None) -> "MappingReport":
        """The report with what a run counted: statistics, and packets per router and per link."""
        routers = {c: int(n) for c, n in enumerate(router_load if router_load is not None else []) if n}
        links = {divmod(h, N_LINKS): int(n) for h, n in enumerate(link_load if link_load is not None else []) if n}
        return replace(self, runtime=dict(stats), simulated_ms=simulated_ms, run_seconds=dict(seconds),
                       router_load=routers, link_load=links)

    def plot_board(self, filename: str):
        """A picture of the machine: each chip at its grid position, shaded by the PEs it uses,
        labelled with its router's packets per simulated second, links drawn as wide as their
        traffic. Written as PNG (matplotlib)."""
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        xy = np.asarray(self.chip_xy, dtype=float).reshape(-1, 2)
        fig, ax = plt.subplots(figsize=(max(4.0, 0.9 * (xy[:, 0].max() + 1)), max(3.0, 0.9 * (xy[:, 1].max() + 1))))
        seconds = max(self.simulated_ms / 1000.0, 1e-12)
        busiest = max(self.link_load.values(), default=1)
        for (chip, link), packets in self.link_load.items():
            dx, dy = LINK_DIRECTIONS[link]
            x, y = xy[chip]
            ax.plot([x, x + 0.85 * dx], [y, y + 0.85 * dy], color="tab:blue", alpha=0.6,
                    linewidth=0.5 + 6.0 * packets / busiest, zorder=1)
        used = np.array([self.pes_per_chip.get(c, 0) for c in range(len(xy))], dtype=float)
        points = ax.scatter(xy[:, 0], xy[:, 1], c=used, cmap="Greys", vmin=0, vmax=PES_PER_CHIP, s=600,
                            edgecolors="k", marker="s", zorder=2)
        for c, (x, y) in enumerate(xy):
            if c in self.router_load:
                ax.annotate(f"{self.router_load[c] / seconds:.3g}/s", (x, y), ha="center", va="center", fontsize=6,
                            bbox=dict(boxstyle="round,pad=0.1", fc="white", alpha=0.8), zorder=3)
        fig.colorbar(points, ax=ax, label="PEs used")
        ax.set_title(f"{self.machine}: {self.pes_used} PEs on {self.chips_used} chip(s); "
                     "links: packets sent, routers: packets per simulated second", fontsize=8)
        ax.set_aspect("equal")
        ax.axis("off")
        fig.tight_layout()
        fig.savefig(filename, dpi=120)
        plt.close(fig)

    def population(self, label: str) -> PopulationMapping:
        for p in self.populations:
            if p.label == label:
                return p
        raise KeyError(label)

    def __str__(self):
        lines = [f"SpiNNaker2 mapping on {self.machine}: {self.pes_used} PEs on {self.chips_used} chip(s)",
                 "", f"{'population':<20}{'model':<20}{'size':>7}{'PEs':>5}  {'paradigm':<9}{'synapses':<26}"
                 f"{'SRAM B':>10}{'DRAM B':>12}  first PE (chip,QPE,PE)"]
        for p in self.populations:
            lines.append(f"{p.label[:19]:<20}{p.model:<20}{p.size:>7}{len(p.pes):>5}  {p.paradigm:<9}"
                         f"{p.storage:<26}{p.sram_bytes:>10}{p.dram_bytes:>12}  {p.pes[0] if p.pes else '-'}")
        if self.delay_extensions:
            lines += ["", "delay extensions (delays beyond a synaptic row's 63 steps):"]
            lines += ["  " + d.describe() for d in self.delay_extensions]
        lines += ["", "routing table entries per chip (after / before compression): " + ", ".join(
            f"chip {c}: {a}/{b}" for c, (a, b) in self.routing_entries.items() if b) or "none"]
        if self.quantisation:
            lines += ["", "weight quantisation (one step per population and receptor; worst relative error "
                          "of any non-zero weight):"]
            lines += ["  " + q.describe() for q in self.quantisation]
        if self.plasticity:
            lines += ["", "plastic projections (float32 weights and traces in the rows; the synaptic input "
                          "takes the nearest weight step):"]
            lines += ["  " + line for line in self.plasticity]
        lines += ["", "compile times: " + ", ".join(f"{k} {v:.3f} s" for k, v in self.compile_seconds.items())]
        if self.router_load:
            seconds = max(self.simulated_ms / 1000.0, 1e-12)
            busiest = sorted(self.router_load.items(), key=lambda kv: -kv[1])[:8]
            lines += ["", "router load (packets per simulated second): " + ", ".join(
                f"chip {c}: {n / seconds:.4g}" for c, n in busiest)
                + (f" ... ({len(self.router_load)} chips)" if len(self.router_load) > 8 else "")]
            if self.link_load:
                lines += ["chip-to-chip links used: " + ", ".join(
                    f"{c}:{'E NE N W SW S'.split()[link]} {n / seconds:.4g}/s"
                    for (c, link), n in sorted(self.link_load.items(), key=lambda kv: -kv[1])[:8])]
        if self.runtime:
            lines += ["", f"run: {self.simulated_ms:g} ms simulated in " + ", ".join(
                f"{k} {v:.3f} s" for k, v in self.run_seconds.items()),
                      "; ".join(f"{k} {v}" for k, v in self.runtime.items()),
                      f"dropped packets: {self.dropped_packets}"]
        return "\n".join(lines)


def _storage(p, pop, network, graph, vs):
    """Where a population's synapses live, in words."""
    if p in graph.local:
        return f"runs on {network.populations[graph.local[p][0]].label[:14]}'s PEs"
    if pop.spec.is_source:
        return "none (source)"
    if p in graph.plans:
        dominants = sum(graph.vertices[v].role == "dominant" for v in vs)
        return f"MAC: {dominants} dominant + {len(vs) - dominants} subordinate"
    if any(graph.vertices[v].dram for v in vs):
        return "DRAM + SRAM DMA buffer"
    split = max((graph.vertices[v].share + 1 for v in vs), default=1)
    return f"SRAM, split over {split} PEs" if split > 1 else "SRAM"


def mapping_report(network, machine, graph, placement, tables, images, seconds, paradigms=None) -> MappingReport:
    paradigms = paradigms or {}
    pops = []
    for p, pop in enumerate(network.populations):
        vs = [v for v, mv in enumerate(graph.vertices) if graph.slices[mv.slice].population == p]
        dram = any(graph.vertices[v].dram for v in vs)
        items: dict = {}
        for v in vs:
            for k, b in images.bytes[v].items():
                items[k] = items.get(k, 0) + b
        dram_bytes = sum(4 * b.words for b in graph.blocks if graph.slices[b.target].population == p) if dram else 0
        paradigm, why = paradigms.get(p, ("-", ""))
        pops.append(PopulationMapping(pop.label, pop.model, pop.size, paradigm,
                                      [pe_location(placement[v]) for v in vs], _storage(p, pop, network, graph, vs),
                                      sum(items.values()), dram_bytes, items, why,
                                      [graph.vertices[v].role for v in vs], [images.bytes[v] for v in vs]))
    chips, per_chip = np.unique(np.asarray(placement, dtype=np.int64) // PES_PER_CHIP, return_counts=True)
    return MappingReport(machine.describe(), machine.n_chips, len(chips), len(placement), pops,
                         {c: (len(t), t.uncompressed) for c, t in enumerate(tables)},
                         images.quantisation, seconds, pes_per_chip=dict(zip(chips.tolist(), per_chip.tolist())),
                         chip_xy=machine.chip_xy.tolist(),
                         delay_extensions=delay_extensions(network, graph, placement, images),
                         plasticity=describe_rules(images.plastic) if images.plastic is not None else [])


def delay_extensions(network, graph, placement, images) -> list[DelayExtension]:
    if not graph.delays:
        return []
    out = []
    for p, n_stages in sorted(graph.delays.stages.items()):
        vs = [v for v, mv in enumerate(graph.vertices)
              if mv.role == "delay" and graph.slices[mv.sources[0]].population == p]
        out.append(DelayExtension(
            network.populations[p].label, [network.projections[j].label for j in graph.delays.projections
                                           if network.projections[j].pre == p],
            n_stages, graph.delays.stage, [pe_location(placement[v]) for v in vs],
            sum(sum(images.bytes[v].values()) for v in vs)))
    return out
