"""The emulating CPU's cache: fetching a synaptic row before it is needed.

A PE's packets name rows scattered over tens of megabytes of synaptic words, so each row read
costs a main-memory miss (about a hundred nanoseconds, more than adding a row of 25 synapses).
The receiving loop asks for the rows of a packet a few places ahead (``serial.deliver``), as a
SpiNNaker PE starts the DMA of the next row while it processes the current one.
"""
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


@intrinsic
def prefetch(typingctx, array, index):
    """Ask the cache for the line holding ``array[index]`` (a hint: no fault, no effect on results)."""
    def codegen(context, builder, signature, args):
        kind = signature.args[0]
        pointer = cgutils.get_item_pointer(context, builder, kind, context.make_array(kind)(context, builder, args[0]),
                                           [args[1]], wraparound=False)
        i32, byte = ir.IntType(32), ir.IntType(8).as_pointer()
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), [byte, i32, i32, i32]),
                                            "llvm.prefetch.p0i8")
        # read, keep in all cache levels, data
        builder.call(fn, [builder.bitcast(pointer, byte), ir.Constant(i32, 0), ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()
    return types.none(array, index), codegen
