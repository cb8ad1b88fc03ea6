"""The PEs' floating-point mode on the emulating CPU: flush-to-zero.

A PE's FPU (Cortex-M4F, FPSCR.FZ) and the fixed-point arithmetic of SpiNNaker's neuron models
treat numbers below the smallest normal one as zero. x86 CPUs in their default IEEE mode compute
with them at about a hundred cycles per operation: a synaptic current or a filter decaying
without input falls into that range and stays there (x * a rounds back to x), and a quiet
population then costs the emulator some eighty times its usual time. The step loop therefore
runs with the SSE control register's flush-to-zero and denormals-are-zero bits set on every
thread that executes PEs, and restores the register before returning to Python.
"""
import platform

from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

FLUSH = 0x8040          # MXCSR: FTZ (bit 15) | DAZ (bit 6)
X86 = platform.machine().lower() in ("x86_64", "amd64")


def _mxcsr_fn(builder, name):
    fnty = ir.FunctionType(ir.VoidType(), [ir.IntType(8).as_pointer()])
    return cgutils.get_or_insert_function(builder.module, fnty, name)


@intrinsic
def _read(typingctx):
    def codegen(context, builder, signature, args):
        slot = cgutils.alloca_once(builder, ir.IntType(32))
        builder.store(ir.Constant(ir.IntType(32), 0), slot)
        if X86:
            builder.call(_mxcsr_fn(builder, "llvm.x86.sse.stmxcsr"), [builder.bitcast(slot, ir.IntType(8).as_pointer())])
        return builder.load(slot)
    return types.uint32(), codegen


@intrinsic
def _write(typingctx, value):
    def codegen(context, builder, signature, args):
        if X86:
            slot = cgutils.alloca_once(builder, ir.IntType(32))
            builder.store(args[0], slot)
            builder.call(_mxcsr_fn(builder, "llvm.x86.sse.ldmxcsr"), [builder.bitcast(slot, ir.IntType(8).as_pointer())])
        return context.get_dummy_value()
    return types.none(types.uint32), codegen


@njit(cache=True, nogil=True, inline="always")
def flush_to_zero():
    """Set this thread's flush-to-zero mode; returns the mode to restore (``restore``)."""
    saved = _read()
    _write(saved | FLUSH)
    return saved


@njit(cache=True, nogil=True, inline="always")
def restore(saved):
    _write(saved)
