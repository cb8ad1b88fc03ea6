"""The synapses a compiled program's serial rows hold, read back from its memory images."""
from core.mapping.serial import unpack_words


def decode(program, levels=False):
    """(pre, post, weight, delay, type) of every synapse stored in any PE, sorted; the weight as
    the PE's scale makes it, or as the stored integer level when ``levels``."""
    pes, syn, graph = program.images.pes, program.images.serial, program.graph
    out = []
    for v, mv in enumerate(graph.vertices):
        tgt = graph.slices[mv.slice]
        for m in range(pes.mpt_start[v], pes.mpt_start[v] + pes.mpt_count[v]):
            src = next(s for s in mv.sources if program.keys.key[s] == syn.mpt_key[m])
            for a in range(syn.mpt_first[m], syn.mpt_first[m] + syn.mpt_rows[m]):
                for row in range(graph.slices[src].size):
                    start = syn.al_offset[a] + row * syn.al_stride[a]
                    count = syn.words[start]
                    w, d, t, idx = unpack_words(syn.words[start + 1:start + 1 + count])
                    if syn.al_wide[a]:
                        w = syn.words[start + 1 + (syn.al_stride[a] - 1) // 2:][:count]
                    for k in range(count):
                        weight = int(w[k]) if levels else float(w[k]) * float(pes.scale[v, t[k]])
                        out.append((graph.slices[src].lo + row, tgt.lo + int(idx[k]), weight, int(d[k]), int(t[k])))
    return sorted(out)
