"""CA3 spiking content-addressable memory (Casanueva-Morato et al., Neural Networks 2024).

A 1-ms clocked circuit of eight populations (``3n + 4m + 1`` neurons) plus an input layer IN
(``n + m`` spike sources) and an output layer OUT. Cues are one-hot (``n`` addresses), contents
are ``m`` bits. Written from the paper and the authors' public code and SpiNNaker recordings
(see ``docs/ca3.md``): the architecture, and the sPyNNaker numerics and STDP conventions that
reproduce the recordings.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any

from ... import ir

POPULATIONS = ("CueCue", "ContCue", "ContCond", "CondInt", "ContCont", "CueCont", "MergeCue", "MergeCont")
"""The eight internal populations, in the order of the paper's circuit."""


@dataclass(frozen=True, kw_only=True)
class NeuronParams:
    """``IF_curr_exp`` parameters of one neuron type (PyNN units: nF, ms, mV, nA)."""

    cm: float
    tau_m: float
    v_rest: float = -60.0
    v_reset: float = -60.0
    v_thresh: float = -57.0
    tau_refrac: float = 1.0
    tau_syn_E: float = 0.3
    tau_syn_I: float = 0.3

    def cell(self, **override: float) -> ir.IF_curr_exp:
        """The IR cell, with optional parameter overrides (e.g. ``v_thresh``)."""
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        values.update(override)
        return ir.IF_curr_exp(i_offset=0.0, v_init=values["v_rest"], **values)


VARIANTS = ("original", "improved")
"""Parameter variants: the paper's circuit, and the variant that fixes its weaknesses (docs/ca3.md)."""

IMPROVED_TAU_MS = 0.25
"""STDP window time constant of the improved variant (ms): a 1-ms pair sets the weight to
``w_max``, a 2-ms pair moves it by ``w_max·e^(-1 ms/tau)`` (1.8 % of ``w_max``)."""

DT_MS = 1.0
"""The only time step the circuit works at (ms): its logic is built on 1-step coincidences."""


def check_dt(dt: Any) -> float:
    """Refuse every time step but 1 ms.

    Raises
    ------
    IRValidationError
        For any ``dt`` other than 1.0 ms, explaining why.
    """
    is_number = isinstance(dt, numbers.Real) and not isinstance(dt, bool)
    if not is_number or float(dt) != DT_MS:
        raise ir.IRValidationError(
            "CA3 memory", "dt", dt,
            "1.0 ms only: the circuit is a 1-ms clocked design whose logic rests on exact 1-step "
            "coincidences (delays of 1, 2 and 3 steps, the +9/-6/+2 nA gate on ContCond, "
            "STDP lags of 0 and 1 step); at 0.5 ms 25 of the paper's 89 operations fail and at "
            "0.1 ms 42. A finer step needs re-tuned weights and delays, i.e. a "
            "different model",
        )
    return float(dt)


@dataclass(frozen=True, kw_only=True)
class Params:
    """Parameters of the CA3 memory; defaults are the paper's configuration.

    Parameters
    ----------
    n : int
        Number of cues (addresses; capacity), >= 1.
    m : int
        Number of content bits, >= 1.
    type_a, type_b : NeuronParams
        The two neuron types (A: tau_m 3 ms, cm 0.27 nF; B: tau_m 0.5 ms, cm 0.14 nF).
    out_v_thresh : float
        Threshold of the output layer (mV).
    w_relay : float
        The "sure relay" weight of most static projections (nA).
    w_gate : float
        ContCue -> ContCond excitation (nA).
    w_condint : float
        CondInt -> ContCond feedback (nA).
    variant : {"original", "improved"}
        ``"original"``: the paper's STDP (tau 3 ms, A 6 nA) with learning on during reads.
        ``"improved"``: STDP windows of :data:`IMPROVED_TAU_MS` with
        ``A = w_max·e^(1 ms/tau)`` and learning off during reads; it removes the memory
        corruption by reads, the interference of 7-ms writes and the forgetting residual.
        The four fields below default to the variant's values.
    tau_plus, tau_minus : float or None
        STDP window time constants (ms), > 0. Original 3; improved :data:`IMPROVED_TAU_MS`.
    a_plus, a_minus : float or None
        STDP amplitudes (nA, absolute units). Original 6; improved
        ``w_max·e^(1 ms/tau)`` (327.6 nA).
    w_max : float
        Upper weight bound of the plastic projections (nA); the lower bound is 0.
    plastic_reads : bool or None
        Whether STDP stays on during recall operations. Original ``True``; improved ``False``.
        Only the operations API (:mod:`spikemem.models.ca3.memory`) uses it: it sets
        ``Phase.plastic`` of each read.
    include_self_in_4 : bool
        Whether projection #4 (CueCue -> CueCont inhibition) keeps i = j; sPyNNaker drops it,
        which is the default ``False``.

    Raises
    ------
    IRValidationError
        For sizes that are not integers >= 1, an unknown variant or a non-positive STDP value.
    """

    n: int = 5
    m: int = 10
    type_a: NeuronParams = field(default_factory=lambda: NeuronParams(cm=0.27, tau_m=3.0))
    type_b: NeuronParams = field(default_factory=lambda: NeuronParams(cm=0.14, tau_m=0.5))
    out_v_thresh: float = -57.5
    w_relay: float = 6.0
    w_gate: float = 9.0
    w_condint: float = 2.0
    variant: str = "original"
    tau_plus: float | None = None
    tau_minus: float | None = None
    a_plus: float | None = None
    a_minus: float | None = None
    w_max: float = 6.0
    plastic_reads: bool | None = None
    include_self_in_4: bool = False

    def __post_init__(self) -> None:
        for name in ("n", "m"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100_000:
                raise ir.IRValidationError("ca3.Params", name, value, "an integer in [1, 100000]")
        if self.variant not in VARIANTS:
            raise ir.IRValidationError("ca3.Params", "variant", self.variant, "one of " + ", ".join(VARIANTS))
        for name, value in self._variant_defaults().items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)
        for name in ("tau_plus", "tau_minus", "a_plus", "a_minus", "w_max"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
                raise ir.IRValidationError("ca3.Params", name, value, "a finite number > 0")
        if not isinstance(self.plastic_reads, bool):
            raise ir.IRValidationError(
                "ca3.Params", "plastic_reads", self.plastic_reads, "True, False or None"
            )

    def _variant_defaults(self) -> dict[str, Any]:
        if self.variant == "original":
            return {"tau_plus": 3.0, "tau_minus": 3.0, "a_plus": 6.0, "a_minus": 6.0, "plastic_reads": True}
        tau = IMPROVED_TAU_MS
        amp = self.w_max * math.exp(DT_MS / tau)
        return {"tau_plus": tau, "tau_minus": tau, "a_plus": amp, "a_minus": amp, "plastic_reads": False}

    @property
    def n_neurons(self) -> int:
        """Internal neurons, ``3n + 4m + 1`` (IN and OUT excluded)."""
        return 3 * self.n + 4 * self.m + 1

    @property
    def n_synapses(self) -> int:
        """Synapses with IN and OUT, ``2n(n-1) + 3nm + 5n + 8m`` (+n with ``include_self_in_4``)."""
        n, m = self.n, self.m
        return 2 * n * (n - 1) + 3 * n * m + 5 * n + 8 * m + (n if self.include_self_in_4 else 0)

    def stdp(self) -> ir.STDP:
        """The STDP rule of projections #10 and #11 with sPyNNaker's conventions."""
        return ir.STDP(
            timing=ir.SpikePair(
                tau_plus=self.tau_plus, tau_minus=self.tau_minus, A_plus=self.a_plus, A_minus=self.a_minus
            ),
            weight=ir.Additive(w_min=0.0, w_max=self.w_max),
            delay_convention="dendritic",
            zero_lag="depress",
            amplitude="absolute",
            clipping="per_event",
        )


def build(
    params: Params | None = None, *, input_spikes: ir.SpikeSourceArray | None = None, dt: float = DT_MS
) -> ir.Network:
    """The CA3 network with its input layer ``IN`` and output layer ``OUT``.

    Parameters
    ----------
    params : Params
        Model parameters (default: the paper's).
    input_spikes : SpikeSourceArray or None
        Spikes of IN (neurons ``0..n-1`` cue, ``n..n+m-1`` content); schedules may add more.
    dt : float
        Time step (ms); only 1.0 is accepted (see :func:`check_dt`).

    Returns
    -------
    Network
        dt = 1 ms, ``spinnaker`` numerics; projections named ``pNN_<pre>_<post>`` after the
        numbering of docs/ca3.md.

    Raises
    ------
    IRValidationError
        If ``dt`` is not 1 ms or ``params`` is not a :class:`Params`.
    """
    check_dt(dt)
    if params is not None and not isinstance(params, Params):
        raise ir.IRValidationError("ca3.build", "params", type(params).__name__, "None or a ca3.Params")
    p = params or Params()
    n, m = p.n, p.m
    a, b = p.type_a.cell(), p.type_b.cell()
    pop = {
        "IN": ir.Population(name="IN", size=n + m, cell=input_spikes or ir.SpikeSourceArray()),
        "CueCue": ir.Population(name="CueCue", size=n, cell=a),
        "ContCue": ir.Population(name="ContCue", size=m, cell=a),
        "ContCond": ir.Population(name="ContCond", size=m, cell=b),
        "CondInt": ir.Population(name="CondInt", size=1, cell=b),
        "ContCont": ir.Population(name="ContCont", size=m, cell=a),
        "CueCont": ir.Population(name="CueCont", size=n, cell=b),
        "MergeCue": ir.Population(name="MergeCue", size=n, cell=a),
        "MergeCont": ir.Population(name="MergeCont", size=m, cell=a),
        "OUT": ir.Population(name="OUT", size=n + m, cell=p.type_a.cell(v_thresh=p.out_v_thresh)),
    }
    one, all_ = ir.OneToOne(), ir.AllToAll()
    no_self = ir.AllToAll(allow_self_connections=False)
    w, inh = p.w_relay, "inhibitory"
    table = [  # (number, pre, post, connector, weight, delay, receptor, plastic)
        (1, pop["IN"][0:n], pop["CueCue"], one, w, 1, "excitatory", False),
        (2, pop["IN"][n : n + m], pop["ContCue"], one, w, 1, "excitatory", False),
        (3, pop["CueCue"], pop["CueCont"], one, w, 2, "excitatory", False),
        (4, pop["CueCue"], pop["CueCont"], all_ if p.include_self_in_4 else no_self, w * m, 3, inh, False),
        (5, pop["CueCue"], pop["ContCond"], all_, w, 2, inh, False),
        (6, pop["ContCue"], pop["ContCond"], one, p.w_gate, 1, "excitatory", False),
        (7, pop["ContCond"], pop["ContCont"], one, w, 1, "excitatory", False),
        (8, pop["ContCue"], pop["CondInt"], all_, w, 1, "excitatory", False),
        (9, pop["CondInt"], pop["ContCond"], all_, p.w_condint, 1, "excitatory", False),
        (10, pop["CueCue"], pop["ContCue"], all_, 0.0, 1, "excitatory", True),
        (11, pop["ContCont"], pop["CueCont"], all_, 0.0, 1, "excitatory", True),
        (12, pop["CueCont"], pop["CueCont"], no_self, w * m, 2, inh, False),
        (13, pop["CueCue"], pop["MergeCue"], one, w, 3, "excitatory", False),
        (14, pop["CueCont"], pop["MergeCue"], one, w, 1, "excitatory", False),
        (15, pop["ContCue"], pop["MergeCont"], one, w, 3, "excitatory", False),
        (16, pop["ContCont"], pop["MergeCont"], one, w, 1, "excitatory", False),
        (17, pop["MergeCue"], pop["OUT"][0:n], one, w, 1, "excitatory", False),
        (18, pop["MergeCont"], pop["OUT"][n : n + m], one, w, 1, "excitatory", False),
    ]
    projections = tuple(
        ir.Projection(
            name=f"p{number:02d}_{pre.name}_{post.name}",
            pre=pre, post=post, connector=connector, weight=weight, delay=float(delay),
            receptor=receptor, plasticity=p.stdp() if plastic else None,
        )
        for number, pre, post, connector, weight, delay, receptor, plastic in table
    )
    return ir.Network(
        populations=tuple(pop.values()), projections=projections, dt=1.0, numerics="spinnaker",
        name=f"ca3_n{n}_m{m}_{p.variant}",
    )


CUE_TO_CONTENT = "p10_CueCue_ContCue"
"""Name of plastic projection #10 (CueCue -> ContCue: recall of content by cue)."""

CONTENT_TO_CUE = "p11_ContCont_CueCont"
"""Name of plastic projection #11 (ContCont -> CueCont: recall of addresses by content)."""


def plastic_projection_names(params: Params | None = None) -> tuple[str, str]:
    """Names of the cue->content (#10) and content->cue (#11) plastic projections."""
    return (CUE_TO_CONTENT, CONTENT_TO_CUE)
