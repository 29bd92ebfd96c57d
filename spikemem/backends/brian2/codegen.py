"""Brian2 model and code strings for the lowered network (plain strings; no brian2 import).

The code follows the reference engine's step (``docs/reference-engine.md``) operation by
operation, so that the compiled Brian2 model does the **same floating-point operations in the
same order**. Brian2 rewrites abstract code only in two places, and both are avoided:

- loop-invariant optimisation (it passes expressions through sympy, which reorders sums) is
  switched off while the network is built and run (see :mod:`.devices`);
- a statement ``x = <expr>`` whose right-hand side contains ``x`` may be turned into ``x += ...``
  or ``x *= ...``; every such statement here is either written that way on purpose or reads
  only temporaries.

Every other statement has at most one arithmetic operation, so the only freedom left to a
compiler is commutation (exact in IEEE arithmetic). Branches are written as multiplications
by ``int(condition)``: ``1·a + 0·b`` equals ``a`` exactly for finite ``b``.
"""

from __future__ import annotations

from ...lowering import LINEAR_CONSTANTS

NEURON_CONSTANTS = (*LINEAR_CONSTANTS, "v_reset", "sub")


def buffer_names(receptor: str, depth: int) -> list[str]:
    """Input buffers of one receptor (``"e"`` or ``"i"``): ``b<r>1 .. b<r><depth>``."""
    return [f"b{receptor}{k}" for k in range(1, depth + 1)]


def neuron_model(depth_e: int, depth_i: int) -> str:
    """Equations of the NeuronGroup (dimensionless, in the IR's units: mV, nA)."""
    lines = ["v : 1", "Ie : 1", "Ii : 1", "refc : integer"]
    lines += [f"{name} : 1 (constant)" for name in NEURON_CONSTANTS]
    lines.append("nref : integer (constant)")
    lines += [f"{b} : 1" for b in buffer_names("e", depth_e) + buffer_names("i", depth_i)]
    return "\n".join(lines)


def neuron_update(depth_e: int, depth_i: int) -> str:
    """One step of every dynamic neuron: deliver, integrate (unless refractory), decay, shift.

    The reference engine computes
    ``V' = V·P22 + c0 + P21e·I_E - P21i·I_I + jump·(in_E - in_I)`` left to right, with
    ``I = I + scale·in`` first; the temporaries below do exactly those operations.
    """
    code = [
        "_ie = Ie + scale_e*be1",
        "_ii = Ii + scale_i*bi1",
        "_v1 = v*P22",
        "_v2 = _v1 + c0",
        "_v3 = P21e*_ie",
        "_v4 = _v2 + _v3",
        "_v5 = P21i*_ii",
        "_v6 = _v4 - _v5",
        "_v7 = be1 - bi1",
        "_v8 = jump*_v7",
        "_vn = _v6 + _v8",
        "v = _vn*int(refc == 0) + v*int(refc > 0)",
        "refc = refc - int(refc > 0)",
        "Ie = _ie*P11e",
        "Ii = _ii*P11i",
    ]
    for receptor, depth in (("e", depth_e), ("i", depth_i)):
        names = buffer_names(receptor, depth)
        code += [f"{a} = {b}" for a, b in zip(names[:-1], names[1:], strict=True)]
        code.append(f"{names[-1]} = 0.0")
    return "\n".join(code)


THRESHOLD = "v >= v_thresh"
RESET = "\n".join(["_r1 = v - v_reset", "_r2 = 1.0 - sub", "v = sub*_r1 + _r2*v_reset", "refc = nref"])
"""``v <- v_reset`` (``sub = 0``), or ``v <- v - v_reset`` for the subtractive reset of
``DiscreteLIF`` (``sub = 1``)."""

SYNAPSE_MODEL_STATIC = "w : 1"

SYNAPSE_MODEL_PLASTIC = "\n".join(
    [
        "w : 1",
        "taup : 1 (constant)",
        "taum : 1 (constant)",
        "Ap : 1 (constant)",
        "Am : 1 (constant)",
        "wmin : 1 (constant)",
        "wmax : 1 (constant)",
        "mult : 1 (constant)",
        "clip_on : 1 (constant)",
        "eop : 1 (constant)",
        "ip : 1 (constant)",
        "idp : 1 (constant)",
        "pidx : integer (constant)",
        "xe : 1",
        "xl : integer",
        "ye : 1",
        "yl : integer",
        "dtm : 1 (shared, constant)",
    ]
)
"""Per-synapse STDP state: the all-to-all pre trace as (value before the last event ``xe``, step
of the last event ``xl``), the post trace likewise (``ye``, ``yl``). ``pidx`` is the column of
the synapse's plastic projection in the ``learn_ta`` table (static synapses in the same object
use the last column, always 0)."""

LEARN = "learn_ta(t, pidx)"
"""Whether the synapse learns at this step: a 2-D ``TimedArray`` (block x projection)."""


EXP = "libm_exp"
"""The exponential of the C library (``exp`` in C++, Cython and CUDA code; ``math.exp`` element by
element on the numpy target, whose own ``numpy.exp`` may differ from the C library in the last
bit). The reference engine's ``math.exp`` is the C library's."""


def _trace_at(prefix: str, value: str, last: str, tau: str, now: str) -> list[str]:
    """Statements computing ``_<prefix>``: the trace at step t (the reference's ``_trace_at``).

    ``now`` is what a trace event at this very step adds: ``"0.0"`` (registration) or the
    zero-lag flag (``ip``/``idp``).
    """
    t = "t_in_timesteps"
    return [
        f"_{prefix}a = {t} - {last}",
        f"_{prefix}b = -_{prefix}a*dtm/{tau}",
        f"_{prefix}c = {EXP}(_{prefix}b)",
        f"_{prefix}d = {value} + 1.0",
        f"_{prefix}e = _{prefix}d*_{prefix}c",
        f"_{prefix}f = {value} + {now}",
        f"_{prefix}g = int({last} == {t})*_{prefix}f + int({last} != {t})*_{prefix}e",
        f"_{prefix} = int({last} >= 0)*_{prefix}g",
    ]


def pre_register() -> str:
    """Pathway ``pre_reg`` (delay a_pre): a pre arrival enters the pre trace."""
    return "\n".join(_trace_at("nx", "xe", "xl", "taup", "0.0") + ["xe = _nx", "xl = t_in_timesteps"])


def post_potentiate() -> str:
    """Pathway ``post`` (delay a_post): a post arrival enters the post trace, then potentiates.

    ``w += A+·x·f`` with ``f = w_max - w`` (multiplicative) or 1, only when ``x > 0`` and learning
    is on; clipped to the bounds when ``clip_on``.
    """
    code = _trace_at("ny", "ye", "yl", "taum", "0.0") + ["ye = _ny", "yl = t_in_timesteps"]
    code += _trace_at("x", "xe", "xl", "taup", "ip")
    code += [
        "_pf1 = wmax - w",
        "_pf2 = 1.0 - mult",
        "_pf = mult*_pf1 + _pf2",
        "_pa = Ap*_x",
        "_pdw = _pa*_pf",
        f"_pon = {LEARN}*int(_x > 0)",
        "_pw = w + _pon*_pdw",
        "_pc = clip(_pw, wmin, wmax)",
        "_pk = 1.0 - clip_on",
        "w = clip_on*_pc + _pk*_pw",
    ]
    return "\n".join(code)


def pre_depress() -> str:
    """Pathway ``pre_dep`` (delay a_pre): a pre arrival depresses by ``A-·y·g``, ``g = w - w_min`` or 1."""
    code = _trace_at("y", "ye", "yl", "taum", "idp")
    code += [
        "_df1 = w - wmin",
        "_df2 = 1.0 - mult",
        "_df = mult*_df1 + _df2",
        "_da = Am*_y",
        "_ddw = _da*_df",
        f"_don = {LEARN}*int(_y > 0)",
        "_dw = w - _don*_ddw",
        "_dc = clip(_dw, wmin, wmax)",
        "_dk = 1.0 - clip_on",
        "w = clip_on*_dc + _dk*_dw",
    ]
    return "\n".join(code)


def transmit(receptor: str, delay: int) -> str:
    """Pathway ``tx`` (no delay): the spike adds the synapse's current weight to buffer b<r><d>."""
    return f"b{receptor}{delay}_post += w"


END_OF_PHASE_CLIP = "\n".join(
    [
        "_es = phase_start_ta(t)",
        "_ec = eop*_es",
        "_ek = clip(w, wmin, wmax)",
        "_em = 1.0 - _ec",
        "w = _ec*_ek + _em*w",
    ]
)
"""Run at the start of every block (``when='start'``): at the first step of a new phase, weights
of ``clipping = "end_of_phase"`` synapses are clipped to their bounds (the end of the last
phase is clipped after the run)."""

PATHWAY_ORDER = {"pre_reg": -30, "post": -20, "pre_dep": -10}
"""Execution order in the ``synapses`` slot: every trace registration, then potentiation, then
depression, then (``order >= 0``) the transmission of the step's spikes with the new weights."""
