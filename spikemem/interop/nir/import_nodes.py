"""NIR import: reading and validating the parameters of single NIR nodes.

Each function reads one node of a graph (its parameters, weight matrix, delays or the size of
an ``Input``/``Output``) as float64 arrays and checks them: shapes, finite values, positive time
constants, ``v_reset < v_threshold``, zero ``Affine`` bias, non-negative delays. A bad value
raises :class:`~spikemem.ir.IRValidationError` naming the node, the parameter, the value and
what is allowed; the graph-level import is in :mod:`spikemem.interop.nir.importer`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...ir.errors import IRValidationError, UnsupportedFeature
from .common import IMPORT_BACKEND


def node_owner(key: str, node: Any) -> str:
    """How errors name node ``key``: ``NIR node 'key' (Type)``."""
    return f"NIR node {key!r} ({type(node).__name__})"


def node_param(key: str, node: Any, name: str, n: int | None = None, positive: bool = False) -> np.ndarray:
    """Parameter ``name`` as a finite 1-D float64 array (``n`` values if given, > 0 if ``positive``)."""
    owner = node_owner(key, node)
    raw = getattr(node, name, None)
    try:
        array = np.array(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise IRValidationError(owner, name, raw, "a 1-D array of numbers") from None
    if array.ndim != 1 or array.size == 0:
        raise IRValidationError(
            owner, name, f"array of shape {array.shape}", "a non-empty 1-D array (one value per neuron)"
        )
    if n is not None and array.size != n:
        raise IRValidationError(
            owner, name, f"array of shape {array.shape}", f"shape ({n},), one value per neuron"
        )
    bad = ~np.isfinite(array)
    if np.any(bad):
        raise IRValidationError(owner, name, float(array[bad][0]), "finite values (no NaN or inf)")
    if positive and np.any(array <= 0):
        raise IRValidationError(
            owner, name, float(array[array <= 0][0]), "values > 0 (a time constant or resistance)"
        )
    return array


def neuron_params(nir: Any, key: str, node: Any) -> dict[str, np.ndarray]:
    """The parameters of a ``CubaLIF``, ``LIF`` or ``LI`` node, one value per neuron, checked."""
    if isinstance(node, nir.CubaLIF):
        n = node_param(key, node, "v_threshold").size
        names = {
            "tau_syn": True,
            "tau_mem": True,
            "r": True,
            "v_leak": False,
            "v_threshold": False,
            "v_reset": False,
            "w_in": False,
        }
    elif isinstance(node, nir.LIF):
        n = node_param(key, node, "v_threshold").size
        names = {"tau": True, "r": False, "v_leak": False, "v_threshold": False, "v_reset": False}
    else:  # LI
        n = node_param(key, node, "tau").size
        names = {"tau": True, "r": False, "v_leak": False}
    params = {k: node_param(key, node, k, n, positive) for k, positive in names.items()}
    if "v_reset" in params:
        bad = np.flatnonzero(params["v_reset"] >= params["v_threshold"])
        if bad.size:
            raise IRValidationError(
                node_owner(key, node),
                "v_reset",
                float(params["v_reset"][bad[0]]),
                f"v_reset < v_threshold ({float(params['v_threshold'][bad[0]])} mV at neuron {bad[0]})",
            )
    return params


def input_size(key: str, node: Any) -> int:
    """The number of neurons of an ``Input`` node."""
    shape = np.asarray((node.input_type or {}).get("input", ()))
    if shape.ndim != 1 or shape.size != 1 or not np.issubdtype(shape.dtype, np.number) or shape[0] < 1:
        raise IRValidationError(node_owner(key, node), "shape", shape.tolist(), "a 1-D shape [n] with n >= 1")
    return int(shape[0])


def output_size(key: str, node: Any) -> int:
    """The number of neurons of an ``Output`` node."""
    shape = np.asarray((node.output_type or {}).get("output", ()))
    if shape.ndim != 1 or shape.size != 1:
        raise IRValidationError(node_owner(key, node), "shape", shape.tolist(), "a 1-D shape [n]")
    return int(shape[0])


def weight_matrix(nir: Any, key: str, node: Any) -> np.ndarray:
    """The ``(n_out, n_in)`` weights of a ``Linear`` or ``Affine`` (zero bias only) node."""
    owner = node_owner(key, node)
    try:
        weights = np.array(node.weight, dtype=np.float64)
    except (TypeError, ValueError):
        raise IRValidationError(owner, "weight", node.weight, "a 2-D array of numbers") from None
    if weights.ndim != 2 or 0 in weights.shape:
        raise IRValidationError(
            owner, "weight", f"array of shape {weights.shape}", "a non-empty 2-D array (n_out, n_in)"
        )
    bad = ~np.isfinite(weights)
    if np.any(bad):
        raise IRValidationError(owner, "weight", float(weights[bad][0]), "finite values (no NaN or inf)")
    if isinstance(node, nir.Affine):
        try:
            bias = np.array(node.bias, dtype=np.float64)
        except (TypeError, ValueError):
            raise IRValidationError(owner, "bias", node.bias, "an array of numbers") from None
        if np.any(bias != 0):
            raise UnsupportedFeature(
                f"a non-zero bias on node {key!r} (Affine): a constant input filtered by the synapse has "
                "no IF_curr_exp equivalent (i_offset is not filtered); fold it into v_leak or use Linear",
                IMPORT_BACKEND,
            )
    return weights


def delay_values(key: str, node: Any) -> np.ndarray:
    """The delays of a ``Delay`` node (graph time unit), checked to be >= 0."""
    delays = node_param(key, node, "delay")
    if np.any(delays < 0):
        raise IRValidationError(node_owner(key, node), "delay", float(delays[delays < 0][0]), "values >= 0")
    return delays
