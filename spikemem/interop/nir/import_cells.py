"""NIR import: PyNN cell parameters from the parameters of a NIR neuron node.

NIR states a membrane by its time constant, resistance and leak potential; PyNN's
``IF_curr_exp``/``IF_curr_delta`` by ``tau_m``, ``cm``, ``v_rest`` and ``i_offset``. These
functions convert one into the other and, where spikemem's own metadata (the ``pynn`` dict of a
node) agrees with the graph to 1e-12, restore the exact values it holds, plus what NIR cannot
hold (``tau_refrac``, ``v_init``, the time constant of an unused receptor). Each conversion they
make appends a note to ``notes``.
"""

from __future__ import annotations

import numpy as np

from ...ir.cells import per_neuron
from .common import _close, _compact


def pick(pynn: dict, name: str) -> np.ndarray | None:
    """Entry ``name`` of the ``pynn`` metadata as a finite float64 array; ``None`` if absent or bad."""
    if name not in pynn:
        return None
    try:
        value = np.asarray(pynn[name], dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return value if np.all(np.isfinite(value)) else None


def exp_cell_params(tau_m: np.ndarray, r: np.ndarray, v_leak: np.ndarray, pynn: dict, notes: list) -> dict:
    """``tau_m``, ``cm``, ``v_rest`` and ``i_offset`` of an ``IF_curr_exp`` from a membrane of time
    constant ``tau_m`` (ms), resistance ``r`` (MOhm) and leak potential ``v_leak`` (mV)."""
    meta_tau = pick(pynn, "tau_m")
    if meta_tau is not None and _close(meta_tau, tau_m):
        tau_m = np.broadcast_to(meta_tau, tau_m.shape).astype(np.float64)
    meta_cm = pick(pynn, "cm")
    if meta_cm is not None and np.all(meta_cm > 0) and _close(tau_m / meta_cm, r):
        cm = np.broadcast_to(meta_cm, tau_m.shape).astype(np.float64)
    else:
        cm = tau_m / r
        notes.append("cm = tau_mem/r (nF)")
    out = {"tau_m": _compact(tau_m), "cm": _compact(cm)}
    out.update(rest_params(v_leak, tau_m / cm, pynn, notes))
    return out


def delta_cell_params(tau_m: np.ndarray, v_leak: np.ndarray, pynn: dict, notes: list) -> dict:
    """``tau_m``, ``cm``, ``v_rest`` and ``i_offset`` of an ``IF_curr_delta`` (``cm`` from the
    metadata, else 1 nF) from a membrane of time constant ``tau_m`` (ms) and leak ``v_leak``."""
    meta_tau = pick(pynn, "tau_m")
    if meta_tau is not None and _close(meta_tau, tau_m):
        tau_m = np.broadcast_to(meta_tau, tau_m.shape).astype(np.float64)
    meta_cm = pick(pynn, "cm")
    cm = (
        np.broadcast_to(meta_cm, tau_m.shape).astype(np.float64)
        if meta_cm is not None and np.all(meta_cm > 0)
        else np.ones_like(tau_m)
    )
    out = {"tau_m": _compact(tau_m), "cm": _compact(cm)}
    out.update(rest_params(v_leak, tau_m / cm, pynn, notes))
    return out


def rest_params(v_leak: np.ndarray, resistance: np.ndarray, pynn: dict, notes: list) -> dict:
    """``v_rest`` and ``i_offset`` from the metadata when they give ``v_leak``, else ``v_leak`` and 0."""
    v_rest, i_offset = pick(pynn, "v_rest"), pick(pynn, "i_offset")
    if v_rest is not None and i_offset is not None and _close(v_rest + resistance * i_offset, v_leak):
        return {
            "v_rest": _compact(per_neuron(v_rest, v_leak.size)),
            "i_offset": _compact(per_neuron(i_offset, v_leak.size)),
        }
    notes.append("v_rest = v_leak, i_offset = 0")
    return {"v_rest": _compact(v_leak), "i_offset": 0.0}


def tau_syn_params(
    tau_e: np.ndarray, tau_i: np.ndarray, used: str, pynn: dict, received: set[str], notes: list
) -> dict:
    """``tau_syn_E`` and ``tau_syn_I`` (ms); the metadata's value where it agrees, or where that
    receptor receives no input and its time constant is not the one the graph used."""
    out = {"tau_syn_E": tau_e, "tau_syn_I": tau_i}
    for name, receptor in (("tau_syn_E", "excitatory"), ("tau_syn_I", "inhibitory")):
        meta_value = pick(pynn, name)
        if meta_value is None or not np.all(meta_value > 0):
            continue
        if _close(meta_value, out[name]) or (receptor not in received and name != used):
            if not _close(meta_value, out[name]):
                notes.append(f"{name} restored from spikemem's metadata (no {receptor} input)")
            out[name] = np.broadcast_to(meta_value, tau_e.shape).astype(np.float64)
    return {k: _compact(v) for k, v in out.items()}


def restore_refractory(cell_params: dict, pynn: dict, notes: list) -> list[str]:
    """Set ``tau_refrac`` (and ``v_init``) in ``cell_params`` from the metadata; the reasons it gives."""
    cell_params["tau_refrac"] = 0.0
    refrac = pick(pynn, "tau_refrac")
    v_init = pynn.get("v_init")
    if v_init is not None:
        cell_params["v_init"] = v_init if np.ndim(v_init) else float(v_init)
        notes.append("v_init restored from spikemem's metadata (NIR has no initial state)")
    if refrac is None or not np.all(refrac >= 0) or not np.any(refrac > 0):
        return []
    cell_params["tau_refrac"] = float(refrac) if refrac.ndim == 0 else _compact(refrac)
    return [
        f"tau_refrac = {float(refrac.max()):g} ms restored from spikemem's metadata: the NIR node "
        "itself has no refractory period"
    ]
