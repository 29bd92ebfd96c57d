"""The one translation table from the IR to the generated Brian2 model (no brian2 import).

Every IR parameter that reaches Brian2 goes through this table: which Brian2 variable(s) carry
it, in which unit, and how. A test checks that it covers every parameter of every cell type,
every field of a projection and of an STDP rule, and every recordable state variable, and that
every Brian2 name it mentions exists in the generated model.

Units
-----
The generated model is **dimensionless in the IR's (PyNN's) units**: a Brian2 variable holds the
number the IR holds (``v`` in mV, currents in nA, weights in nA or mV, times in ms). Brian2
would otherwise store SI values, and converting mV to V (×1e-3) rounds: the trajectories would
differ from the reference engine in the last bits and a chaotic network's spikes would drift
apart. Only the time grid enters Brian2 with a unit (``dt`` and spike times, ms → s through
:data:`SI`), where Brian2 rounds to whole steps anyway. :func:`to_si` turns a table value into
the SI quantity Brian2 would use, for users who want to rebuild the model with units.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import codegen

__all__ = [
    "NEURON_CONSTANTS",
    "NEURON_VARIABLES",
    "PROJECTION",
    "SI",
    "SOURCE_CELLS",
    "STATE",
    "STDP_PARAMETERS",
    "SYNAPSE_VARIABLES",
    "TABLE",
    "Translation",
    "to_si",
]

SI = {"ms": 1e-3, "mV": 1e-3, "nA": 1e-9, "nF": 1e-9, "Hz": 1.0, "steps": None, "1": 1.0}
"""Factor from the IR unit to the SI base unit Brian2 uses (``None``: an integer count)."""


@dataclass(frozen=True)
class Translation:
    """How one IR parameter reaches the Brian2 model.

    Attributes
    ----------
    unit : str
        Unit of the IR value and of the Brian2 number(s) (a key of :data:`SI`).
    brian2 : tuple of str
        Brian2 variables (or objects) that carry the value, as ``"<object>.<name>"``; objects
        are ``neurons`` (the NeuronGroup of all dynamic neurons), ``sources`` (the
        SpikeGeneratorGroup of all spike sources) and ``synapses`` (each Synapses object).
    how : str
        The formula or rule (the reference engine's, see ``docs/reference-engine.md``).
    """

    unit: str
    brian2: tuple[str, ...]
    how: str


_LIF_SHARED = {
    "cm": Translation(
        "nF",
        ("neurons.c0", "neurons.P21e", "neurons.P21i"),
        "P20 = (tau_m/cm)(1 - P22) enters c0; P21 = (dt/cm)·P22·expm1(x)/x (exact) or P20 (spinnaker)",
    ),
    "tau_m": Translation(
        "ms",
        ("neurons.P22", "neurons.c0", "neurons.P21e", "neurons.P21i"),
        "P22 = exp(-dt/tau_m)",
    ),
    "tau_refrac": Translation(
        "ms",
        ("neurons.nref", "neurons.refc"),
        "nref = round(tau_refrac/dt) (exact) or ceil(tau_refrac/dt) (spinnaker) frozen steps",
    ),
    "v_rest": Translation("mV", ("neurons.c0",), "c0 = v_rest·(1 - P22) + P20·i_offset"),
    "v_reset": Translation("mV", ("neurons.v_reset", "neurons.sub"), "reset: v = v_reset (sub = 0)"),
    "v_thresh": Translation("mV", ("neurons.v_thresh",), "threshold: v >= v_thresh"),
    "i_offset": Translation("nA", ("neurons.c0",), "c0 = v_rest·(1 - P22) + P20·i_offset"),
    "v_init": Translation("mV", ("neurons.v",), "initial v (v_rest when None)"),
}


def _tau_syn(receptor: str) -> Translation:
    """The translation of ``tau_syn_E`` or ``tau_syn_I`` (``receptor`` ``"E"`` or ``"I"``)."""
    r = receptor.lower()
    tau = f"tau_syn_{receptor}"
    return Translation(
        "ms",
        (f"neurons.P11{r}", f"neurons.P21{r}", f"neurons.scale_{r}"),
        f"P11{r} = exp(-dt/{tau}); spinnaker: scale_{r} = ({tau}/dt)(1 - exp(-dt/{tau}))",
    )


NEURON_CONSTANTS = {
    "IF_curr_exp": {
        **_LIF_SHARED,
        "tau_syn_E": _tau_syn("E"),
        "tau_syn_I": _tau_syn("I"),
    },
    "IF_curr_delta": {
        **_LIF_SHARED,
        "cm": Translation(
            "nF", ("neurons.c0",), "P20 = (tau_m/cm)(1 - P22) enters c0 (input jumps v: jump = 1)"
        ),
        "tau_m": Translation("ms", ("neurons.P22", "neurons.c0"), "P22 = exp(-dt/tau_m)"),
    },
    "DiscreteLIF": {
        "tau_m": Translation(
            "ms",
            ("neurons.P22", "neurons.c0", "neurons.jump"),
            "P22 = exp(-dt/tau_m), gain jump = 1 - P22 (None: P22 = jump = 1, no leak)",
        ),
        "v_thresh": Translation(
            "mV",
            ("neurons.v_thresh", "neurons.v_reset", "neurons.sub"),
            "threshold alpha·v_thresh; subtractive reset (sub = 1): v = v - v_reset with v_reset = v_thresh",
        ),
        "alpha": Translation("1", ("neurons.v_thresh",), "threshold = alpha·v_thresh"),
        "i_offset": Translation("mV", ("neurons.c0",), "c0 = gain·i_offset"),
        "v_init": Translation("mV", ("neurons.v",), "initial v (0 when None)"),
    },
    "DendriticNeuron": {
        name: Translation(
            unit,
            ("neurons.v_thresh", "neurons.nref", "synapses"),
            "no native segments: spikemem.lowering.lower_dendrites rewrites segments and somata "
            "as IF_curr_delta event counters (" + how + ")",
        )
        for name, unit, how in (
            ("n_segments", "1", "one counter per segment, j·K + k"),
            ("theta", "1", "segment counter threshold theta - 0.5 mV"),
            ("window", "ms", "-1 event one window later; refractory for the window"),
            ("soma_threshold", "1", "soma counter threshold soma_threshold - 0.5 mV"),
        )
    },
}
"""IR neuron parameter -> Brian2, per dynamic cell type."""

SOURCE_CELLS = {
    "SpikeSourceArray": {
        "times": Translation(
            "ms", ("sources",), "rounded to steps (halves up), duplicates merged; times = steps·dt"
        ),
        "ids": Translation("1", ("sources",), "global source index = population offset + id"),
    },
    "SpikeSourcePoisson": {
        "rate": Translation("Hz", ("sources",), "drawn on the host: p = 1 - exp(-rate·dt) per step"),
        "start": Translation("ms", ("sources",), "first step round(start/dt)"),
        "duration": Translation("ms", ("sources",), "last step round((start + duration)/dt) - 1"),
        "seed": Translation("1", ("sources",), "PCG64 seed (default: compile seed and population name)"),
    },
}
"""IR source parameter -> Brian2: the host draws the spikes, a SpikeGeneratorGroup replays them."""

PROJECTION = {
    "pre": Translation("1", ("synapses",), "Synapses.connect(i=...), from spikemem.ir.resolve"),
    "post": Translation("1", ("synapses",), "Synapses.connect(j=...), from spikemem.ir.resolve"),
    "connector": Translation(
        "1", ("synapses",), "resolved on the host by spikemem.ir.resolve(projection, seed)"
    ),
    "weight": Translation("nA", ("synapses.w",), "w (mV onto IF_curr_delta); read when the spike is sent"),
    "delay": Translation(
        "ms",
        ("synapses.b{r}{d}_post", "neurons.b{r}{d}"),
        "d = round(delay/dt) steps: the spike adds w to the post neuron's buffer b{r}{d} at once; "
        "buffers shift one place per step and b{r}1 is delivered",
    ),
    "receptor": Translation("1", ("neurons.be1", "neurons.bi1"), "excitatory -> be*, inhibitory -> bi*"),
    "segment": Translation(
        "1",
        ("synapses",),
        "dendritic target: a synapse onto segment counter j·K + segment (lower_dendrites)",
    ),
    "plasticity": Translation(
        "1",
        ("synapses.pidx",),
        "see STDP_PARAMETERS; pidx = column of learn_ta (learning per phase)",
    ),
}
"""IR projection field -> Brian2."""

STDP_PARAMETERS = {
    "tau_plus": Translation("ms", ("synapses.taup",), "pre trace decays by exp(-age·dt/tau_plus)"),
    "tau_minus": Translation("ms", ("synapses.taum",), "post trace decays by exp(-age·dt/tau_minus)"),
    "A_plus": Translation("nA", ("synapses.Ap",), "A_plus (times w_max when amplitude = 'w_max')"),
    "A_minus": Translation("nA", ("synapses.Am",), "A_minus (times w_max when amplitude = 'w_max')"),
    "w_min": Translation("nA", ("synapses.wmin",), "lower bound"),
    "w_max": Translation("nA", ("synapses.wmax",), "upper bound"),
    "weight": Translation("1", ("synapses.mult",), "Additive: mult = 0; Multiplicative: mult = 1"),
    "timing": Translation("1", ("synapses.taup", "synapses.taum", "synapses.Ap", "synapses.Am"), "SpikePair"),
    "delay_convention": Translation(
        "steps",
        ("synapses.pre_reg", "synapses.pre_dep", "synapses.post"),
        "pathway delays (a_pre, a_post) = (0, d) dendritic, (d, 0) axonal, (0, 0) none",
    ),
    "zero_lag": Translation(
        "1",
        ("synapses.ip", "synapses.idp"),
        "ip = 1: potentiate at lag 0; idp = 1: depress at lag 0",
    ),
    "amplitude": Translation("1", ("synapses.Ap", "synapses.Am"), "'w_max' multiplies A± by w_max"),
    "clipping": Translation(
        "1",
        ("synapses.clip_on", "synapses.eop"),
        "per_event: clip_on = 1 (clip after every update); end_of_phase: eop = 1 (clip between runs)",
    ),
}
"""STDP / SpikePair / weight-dependence field -> Brian2."""

STATE = {
    "v": Translation("mV", ("neurons.v",), "StateMonitor(when='end'): the state at the end of the step"),
    "isyn_exc": Translation("nA", ("neurons.Ie",), "after the step's decay, as the reference engine"),
    "isyn_inh": Translation("nA", ("neurons.Ii",), "after the step's decay, as the reference engine"),
}
"""Recordable IR state variable -> Brian2 variable."""

TABLE = {
    **{f"{cell}.{name}": t for cell, params in NEURON_CONSTANTS.items() for name, t in params.items()},
    **{f"{cell}.{name}": t for cell, params in SOURCE_CELLS.items() for name, t in params.items()},
    **{f"Projection.{name}": t for name, t in PROJECTION.items()},
    **{f"STDP.{name}": t for name, t in STDP_PARAMETERS.items()},
    **{f"state.{name}": t for name, t in STATE.items()},
}
"""Everything above in one flat mapping ``"<owner>.<name>" -> Translation``."""

NEURON_VARIABLES = ("v", "Ie", "Ii", "refc", *codegen.NEURON_CONSTANTS, "nref")
"""Variables of the generated NeuronGroup (besides the input buffers ``be1..`` / ``bi1..``)."""

SYNAPSE_VARIABLES = (
    "w",
    "taup",
    "taum",
    "Ap",
    "Am",
    "wmin",
    "wmax",
    "mult",
    "clip_on",
    "eop",
    "ip",
    "idp",
    "pidx",
    "xe",
    "xl",
    "ye",
    "yl",
)
"""Variables of a generated Synapses object that holds plastic synapses (static ones: ``w``)."""


def to_si(unit: str, value: float) -> float:
    """``value`` (in ``unit``, a key of :data:`SI`) in SI base units.

    Raises
    ------
    KeyError
        For an unknown unit; ``ValueError`` for a step count (no SI equivalent).
    """
    factor = SI[unit]
    if factor is None:
        raise ValueError(f"{unit!r} is a count of time steps, not a physical unit")
    return value * factor
