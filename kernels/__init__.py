"""fastopt's compiled core (installed as ``fastopt.kernels``).

Arrays and scalars in, arrays out: no Python objects, no I/O, no frames, no
validation beyond what the mathematics needs. The typed facade in ``fastopt``
validates, broadcasts and wraps; these modules only compute.
"""
