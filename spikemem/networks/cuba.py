"""The Vogels–Abbott CUBA benchmark network (Brian2's ``CUBA`` example) in the IR.

Brian2 writes the model with voltage-valued synaptic "currents"::

    dv/dt  = (ge + gi - (v - El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt

    taum = 20 ms, taue = 5 ms, taui = 10 ms, Vt = -50 mV, Vr = -60 mV, El = -49 mV,
    refractory 5 ms, on_pre 'ge += we' (we = 60*0.27/10 mV = 1.62 mV) for excitatory sources
    and 'gi += wi' (wi = -20*4.5/10 mV = -9 mV) for inhibitory ones, p = 0.02.

The IR's ``IF_curr_exp`` (PyNN units) writes the same dynamics with currents (nA) and a
capacitance (nF)::

    dV/dt = (v_rest - V)/tau_m + (I_E - I_I)/cm

so ``ge/taum`` (mV/ms) must equal ``I_E/cm`` (nA/nF = mV/ms), i.e. ``I = ΔV·cm/tau_m``. With
``cm = 1 nF`` and ``tau_m = 20 ms`` a voltage jump of 1.62 mV becomes an excitatory current jump
of ``1.62·1/20 = 0.081 nA`` and the inhibitory jump of -9 mV becomes ``9·1/20 = 0.45 nA`` on the
inhibitory receptor (IR weights are positive; the sign comes from the receptor). The choice
of ``cm`` does not change the dynamics as long as the weights scale with it.

Note that ``v_rest = -49 mV`` lies *above* ``v_thresh = -50 mV``: every neuron fires on its
own; recurrent inhibition keeps the mean rate near 5.5–5.9 Hz (N = 4000, dt = 0.1 ms).
"""

from __future__ import annotations

import numpy as np

from ..ir import FixedProbability, IF_curr_exp, Network, Population, Projection

#: Brian2 CUBA constants (ms, mV).
TAU_M = 20.0
TAU_SYN_E = 5.0
TAU_SYN_I = 10.0
V_REST = -49.0
V_THRESH = -50.0
V_RESET = -60.0
TAU_REFRAC = 5.0
WE_MV = 60 * 0.27 / 10  # 1.62 mV
WI_MV = -20 * 4.5 / 10  # -9 mV


def cuba_network(
    n: int = 4000,
    p: float = 0.02,
    dt: float = 0.1,
    seed: int = 1,
    numerics: str = "exact",
    cm: float = 1.0,
) -> Network:
    """The Vogels–Abbott CUBA network (Brian2's example) as an IR network.

    Parameters
    ----------
    n : int
        Total number of neurons; ``round(0.8 n)`` excitatory ("exc"), the rest inhibitory ("inh").
    p : float
        Connection probability of every (pre, post) pair, self-connections allowed (as Brian2's
        ``connect(p=p)``).
    dt : float
        Time step (ms). Every synaptic delay is one step (``delay = dt``), the shortest the IR
        allows.
    seed : int
        Seed of the initial membrane potentials (uniform in ``[v_reset, v_thresh]``, numpy
        ``Generator(PCG64(seed))``) and of the four connectors (each gets its own seed derived
        from ``seed``), so the network, its synapses included, is fully determined by ``seed``.
    numerics : {"exact", "spinnaker"}
        Numerical scheme stored in the network.
    cm : float
        Membrane capacitance (nF); the weights scale with it (see the module docstring).

    Returns
    -------
    spikemem.ir.Network
        Populations ``"exc"`` and ``"inh"`` of ``IF_curr_exp`` and projections ``"exc_exc"``,
        ``"exc_inh"`` (excitatory receptor, weight ``1.62·cm/20`` nA) and ``"inh_exc"``,
        ``"inh_inh"`` (inhibitory receptor, weight ``9·cm/20`` nA).

    Notes
    -----
    Unit conversion: Brian2 adds a voltage ``ΔV`` to ``ge``/``gi``, which enters ``dv/dt`` as
    ``ΔV/tau_m``; the IR adds a current ``w`` that enters as ``w/cm``. Equal effect needs
    ``w = |ΔV|·cm/tau_m``: ``w_exc = 1.62·cm/20`` nA, ``w_inh = 9·cm/20`` nA.
    """
    n = int(n)
    if n < 2:
        raise ValueError(f"cuba_network: n must be >= 2 (got {n})")
    n_exc = int(round(0.8 * n))
    n_inh = n - n_exc
    if n_exc < 1 or n_inh < 1:
        raise ValueError(f"cuba_network: n={n} leaves an empty population")

    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([int(seed), 0])))
    v_init = rng.uniform(V_RESET, V_THRESH, size=n)

    def cell(v0: np.ndarray) -> IF_curr_exp:
        return IF_curr_exp(
            cm=float(cm),
            tau_m=TAU_M,
            tau_refrac=TAU_REFRAC,
            tau_syn_E=TAU_SYN_E,
            tau_syn_I=TAU_SYN_I,
            v_rest=V_REST,
            v_reset=V_RESET,
            v_thresh=V_THRESH,
            i_offset=0.0,
            v_init=v0,
        )

    exc = Population(name="exc", size=n_exc, cell=cell(v_init[:n_exc]))
    inh = Population(name="inh", size=n_inh, cell=cell(v_init[n_exc:]))

    w_exc = WE_MV * cm / TAU_M
    w_inh = -WI_MV * cm / TAU_M
    # One independent, reproducible seed per connector, derived from ``seed``.
    conn_seeds = np.random.SeedSequence([int(seed), 1]).generate_state(4, dtype=np.uint64)
    conn_seeds = [int(s) & (2**63 - 1) for s in conn_seeds]

    projections = []
    for k, (pre, post, weight, receptor) in enumerate(
        (
            (exc, exc, w_exc, "excitatory"),
            (exc, inh, w_exc, "excitatory"),
            (inh, exc, w_inh, "inhibitory"),
            (inh, inh, w_inh, "inhibitory"),
        )
    ):
        projections.append(
            Projection(
                name=f"{pre.name}_{post.name}",
                pre=pre,
                post=post,
                connector=FixedProbability(p=p, allow_self_connections=True, seed=conn_seeds[k]),
                weight=weight,
                delay=dt,
                receptor=receptor,
            )
        )

    return Network(
        populations=(exc, inh),
        projections=tuple(projections),
        dt=dt,
        numerics=numerics,
        name=f"cuba_{n}",
    )
