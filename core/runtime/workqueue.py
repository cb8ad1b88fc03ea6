"""The emulating host's threads share a phase's PEs by taking them one at a time.

PEs differ in work, and the work of each changes from window to window with the network's
activity (and the host's other load changes a thread's speed), so a fixed split leaves one
thread waiting for the other. Each thread instead takes the next PE from a shared counter until
none is left. Which thread runs a PE does not change what the PE computes: a PE writes only its
own state in each phase (``kernel.py``), so results are the same for any number of threads.
"""
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


@intrinsic
def take(typingctx, counter):
    """``counter[0]``, incremented atomically: the next PE for the calling thread."""
    def codegen(context, builder, signature, args):
        kind = signature.args[0]
        pointer = cgutils.get_item_pointer(context, builder, kind, context.make_array(kind)(context, builder, args[0]),
                                           [context.get_constant(types.intp, 0)], wraparound=False)
        return builder.atomic_rmw("add", pointer, ir.Constant(ir.IntType(64), 1), "monotonic")
    if counter != types.Array(types.int64, 1, "C"):
        return None
    return types.int64(counter), codegen
