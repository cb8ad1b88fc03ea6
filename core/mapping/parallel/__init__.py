"""The parallel paradigm (paper III-B): a layer's synaptic processing on MAC arrays, from an
optimised weight-delay map, compiled into plain arrays (``plan.py``) with byte costs per
Table I item (``costs.py``)."""
from .compiler import MAX_DELAY, N_TYPES, aggregate, compile_layer
from .plan import (NO_OPTIMISATION, LayerPlan, Optimisations, ParallelSlice, dense_product, product,
                   stacked_counts)

__all__ = ["compile_layer", "aggregate", "LayerPlan", "ParallelSlice", "Optimisations", "NO_OPTIMISATION",
           "product", "dense_product", "stacked_counts", "MAX_DELAY", "N_TYPES"]
