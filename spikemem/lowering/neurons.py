"""Per-neuron step constants of the reference engine's linear neuron update (numpy only).

Every dynamic (non-source) neuron steps as ``V' = V·P22 + c0 + P21e·Ie - P21i·Ii + jump·(inE - inI)``
with synaptic currents decaying by ``P11e``/``P11i``; :func:`neuron_table` computes those
constants (propagators, refractory steps, the ``spinnaker`` input scaling) for every cell type
the reference engine integrates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..ir.cells import DiscreteLIF, IF_curr_exp, per_neuron, refractory_steps
from ..ir.errors import IRValidationError
from ..ir.population import Population

__all__ = [
    "LINEAR_CONSTANTS",
    "NeuronTable",
    "lif_propagators",
    "neuron_table",
    "refractory_steps",
    "segment_table",
]


@dataclass
class NeuronTable:
    """Per-neuron constants of the linear step ``V' = V·P22 + c0 + P21e·Ie - P21i·Ii + jump·(inE - inI)``.

    After a spike ``V ← v_reset``, except in segments flagged *subtractive* (``DiscreteLIF``),
    where ``V ← V − v_reset`` (there ``v_reset`` holds the reset step ``V_th``).
    """

    P22: np.ndarray
    c0: np.ndarray
    P21e: np.ndarray
    P21i: np.ndarray
    P11e: np.ndarray
    P11i: np.ndarray
    scale_e: np.ndarray
    scale_i: np.ndarray
    jump: np.ndarray
    v_thresh: np.ndarray
    v_reset: np.ndarray
    nref: np.ndarray
    v_init: np.ndarray
    segments: np.ndarray | None = None  # (n_seg, 4): first, stop, uniform flag, subtractive-reset flag
    seg_params: np.ndarray | None = None  # (n_seg, 10): the constants of a uniform segment


MAX_REFRACTORY_STEPS = 2**31 - 1
"""Longest refractory period in steps: the engines count it in an int32."""

LINEAR_CONSTANTS = ("P22", "c0", "P21e", "P21i", "P11e", "P11i", "scale_e", "scale_i", "jump", "v_thresh")


def segment_table(table: NeuronTable, sizes: list[int], subtractive: list[bool] | None = None) -> None:
    """One segment per population: mark those whose constants are all equal as uniform (fast
    path), and those with a subtractive reset (``subtractive[k]``, default none)."""
    rows, params, start = [], [], 0
    subtractive = [False] * len(sizes) if subtractive is None else subtractive
    for size, sub in zip(sizes, subtractive, strict=True):
        stop = start + size
        columns = [getattr(table, name)[start:stop] for name in LINEAR_CONSTANTS]
        uniform = all(np.all(c == c[0]) for c in columns)
        rows.append((start, stop, int(uniform), int(sub)))
        params.append([c[0] for c in columns])
        start = stop
    table.segments = np.array(rows, dtype=np.int64).reshape(-1, 4)
    table.seg_params = np.array(params, dtype=np.float64).reshape(-1, len(LINEAR_CONSTANTS))


def lif_propagators(
    tau_m: np.ndarray, cm: np.ndarray, tau_syn: np.ndarray, dt: float, numerics: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(P22, P20, P21, P11)`` for one step of length ``dt`` (ms).

    ``exact``: exact solution of the linear ODEs, with ``P21`` written through
    ``expm1(x)/x`` so it stays finite and continuous at ``tau_syn = tau_m``.
    ``spinnaker``: the current is held over the step, so ``P21 = P20``.
    """
    P22 = np.exp(-dt / tau_m)
    P20 = -(tau_m / cm) * np.expm1(-dt / tau_m)
    P11 = np.exp(-dt / tau_syn)
    if numerics == "spinnaker":
        return P22, P20, P20.copy(), P11
    x = dt * (1.0 / tau_m - 1.0 / tau_syn)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        ratio = np.where(x == 0.0, 1.0, np.expm1(x) / np.where(x == 0.0, 1.0, x))
        P21 = (dt / cm) * P22 * ratio
        # dt/tau_m > ~709: expm1(x) overflows and P22 underflows (inf · 0). There
        # P22·expm1(x) = exp(-dt/tau_syn) - exp(-dt/tau_m), which is finite and exact enough.
        stable = (dt / cm) * (np.exp(-dt / tau_syn) - P22) / np.where(x == 0.0, 1.0, x)
    P21 = np.where(np.isfinite(P21), P21, stable)
    return P22, P20, P21, P11


def neuron_table(dynamic: list[Population], dt: float, numerics: str) -> NeuronTable:
    """The step constants of the ``dynamic`` populations (in order) at time step ``dt`` (ms),
    one segment per population (see :func:`segment_table`)."""
    columns: dict[str, list[np.ndarray]] = {
        k: [] for k in NeuronTable.__dataclass_fields__ if k not in ("segments", "seg_params")
    }
    for pop in dynamic:
        cell, n = pop.cell, pop.size
        if isinstance(cell, DiscreteLIF):
            for name, column in _discrete_lif_columns(cell, n, dt).items():
                columns[name].append(column)
            continue
        p = {name: per_neuron(getattr(cell, name), n) for name in cell.parameter_names()}
        P22, P20, _, _ = lif_propagators(p["tau_m"], p["cm"], p["tau_m"], dt, numerics)
        if isinstance(cell, IF_curr_exp):
            _, _, P21e, P11e = lif_propagators(p["tau_m"], p["cm"], p["tau_syn_E"], dt, numerics)
            _, _, P21i, P11i = lif_propagators(p["tau_m"], p["cm"], p["tau_syn_I"], dt, numerics)
            if numerics == "spinnaker":
                scale_e = (p["tau_syn_E"] / dt) * -np.expm1(-dt / p["tau_syn_E"])
                scale_i = (p["tau_syn_I"] / dt) * -np.expm1(-dt / p["tau_syn_I"])
            else:
                scale_e = scale_i = np.ones(n)
            jump = np.zeros(n)
        else:  # IF_curr_delta: input jumps V (exact: by w mV; spinnaker: a current w/dt for one step)
            P21e = P21i = P11e = P11i = scale_e = scale_i = np.zeros(n)
            jump = P20 / dt if numerics == "spinnaker" else np.ones(n)
        columns["P22"].append(P22)
        columns["c0"].append(p["v_rest"] * (1.0 - P22) + P20 * p["i_offset"])
        columns["P21e"].append(P21e)
        columns["P21i"].append(P21i)
        columns["P11e"].append(P11e)
        columns["P11i"].append(P11i)
        columns["scale_e"].append(scale_e)
        columns["scale_i"].append(scale_i)
        columns["jump"].append(jump)
        columns["v_thresh"].append(p["v_thresh"])
        columns["v_reset"].append(p["v_reset"])
        nref = refractory_steps(p["tau_refrac"], dt, numerics)
        if nref.size and nref.max() > MAX_REFRACTORY_STEPS:
            raise IRValidationError(
                f"Population {pop.name!r}",
                "tau_refrac",
                float(np.max(p["tau_refrac"])),
                f"at most {MAX_REFRACTORY_STEPS * dt:g} ms at dt={dt} ms (2**31 - 1 steps, the engines' "
                "refractory counter)",
            )
        columns["nref"].append(nref)
        v_init = p["v_rest"] if cell.v_init is None else per_neuron(cell.v_init, n)
        columns["v_init"].append(v_init)
        _check_finite(pop, {k: v[-1] for k, v in columns.items() if k != "nref"}, dt)
    merged = {
        k: (np.concatenate(v) if v else np.zeros(0, dtype=np.int64 if k == "nref" else np.float64))
        for k, v in columns.items()
    }
    merged["nref"] = merged["nref"].astype(np.int32)
    table = NeuronTable(**{k: np.ascontiguousarray(v) for k, v in merged.items()})
    segment_table(table, [p.size for p in dynamic], [isinstance(p.cell, DiscreteLIF) for p in dynamic])
    return table


def _check_finite(pop: Population, constants: dict[str, np.ndarray], dt: float) -> None:
    """Raise :class:`IRValidationError` if a step constant of ``pop`` at ``dt`` (ms) is NaN or
    infinite, naming the constant, the time step and the cell's time constants and capacitance."""
    for name, column in constants.items():
        if not np.all(np.isfinite(column)):
            shown = ", ".join(
                f"{k}={getattr(pop.cell, k)!r}"
                for k in ("tau_m", "cm", "tau_syn_E", "tau_syn_I", "i_offset")
                if hasattr(pop.cell, k) and not isinstance(getattr(pop.cell, k), np.ndarray)
            )
            raise IRValidationError(
                f"Population {pop.name!r}",
                "cell parameters",
                f"{shown} at dt={dt} ms",
                f"values whose step constants are finite ({name} is not); "
                f"keep tau_m/cm and i_offset*tau_m/cm below 1e300",
            )


def _discrete_lif_columns(cell: DiscreteLIF, n: int, dt: float) -> dict[str, np.ndarray]:
    """``DiscreteLIF`` on the linear step: ``V' = β·V + (1 − β)·(i_offset + inE − inI)``
    (``β = exp(-dt/tau_m)``; ``β = 1`` and gain 1 without leak), threshold ``alpha·v_thresh``,
    subtractive reset by ``v_thresh``, no refractory period and no synaptic currents."""
    zeros = np.zeros(n)
    if cell.tau_m is None:
        beta, gain = np.ones(n), np.ones(n)
    else:
        tau_m = per_neuron(cell.tau_m, n)
        beta, gain = np.exp(-dt / tau_m), -np.expm1(-dt / tau_m)
    v_thresh = per_neuron(cell.v_thresh, n)
    return {
        "P22": beta,
        "c0": gain * per_neuron(cell.i_offset, n),
        "P21e": zeros,
        "P21i": zeros,
        "P11e": zeros,
        "P11i": zeros,
        "scale_e": zeros,
        "scale_i": zeros,
        "jump": gain,
        "v_thresh": per_neuron(cell.alpha, n) * v_thresh,
        "v_reset": v_thresh,
        "nref": np.zeros(n, dtype=np.int64),
        "v_init": zeros if cell.v_init is None else per_neuron(cell.v_init, n),
    }
