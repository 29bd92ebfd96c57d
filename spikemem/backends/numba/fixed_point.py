"""sPyNNaker's fixed-point arithmetic, host side and board initialisation (numpy / Python ints).

The ``spinnaker-fixed`` numerics compute ``IF_curr_exp`` and ``IF_curr_delta`` exactly as
sPyNNaker 7.4.1 does on the ARM cores. This module turns IR parameters into the integers the
board holds (s16.15 ``accum`` bits, u0.32 ``unsigned long fract`` bits, 16-bit synaptic
weights with a per-synapse-type left shift); :mod:`.fixed_kernels` runs the step loop on them.
Every rule names the source it follows; ``docs/reference-engine.md`` ("spinnaker-fixed
numerics") collects them.

Written from the published sources, not copied. The look-up tables of the board's
exponential are computed here from their definition (``e^k`` and ``1 − e^(−j/16)`` rounded to
32 fractional bits); only the three coefficients of its quadratic series (a fit, with no closed
form) are quoted from ``spinn_common/src/stdfix-exp.c``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

import numpy as np

ONE = 1 << 15
"""1.0 as s16.15 bits."""
ULR_ONE = 0xFFFFFFFF
"""GCC's ``1.0ulr``: 1.0 is not representable in u0.32, the constant saturates to 2^32 − 1."""
INT32_MAX = 2**31 - 1
S1615_MIN, S1615_MAX = -65536.0, 65535.999969482421875
DEFAULT_SPIKES_PER_SECOND = 30.0  # spynnaker.cfg [Simulation] spikes_per_second
RING_BUFFER_SIGMA = 5.0  # spynnaker.cfg [Simulation] ring_buffer_sigma
POISSON_SIGMA_SUMMATION_LIMIT = 3.0  # spynnaker/pyNN/utilities/constants.py
SLOW_RATE_PER_TICK_CUTOFF = 0.01  # SpikeSourcePoissonMachineVertex


def _round_u32_32(value: Decimal) -> int:
    """``value`` as a 32.32 fixed-point integer, rounded to nearest (ties away from zero)."""
    return int((value * (1 << 32)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _exp_tables() -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The two look-up tables of the board's ``expk``, computed here to 40 digits: ``e^k`` as
    u32.32 for k = −13..12, and ``1 − e^(−j/16)`` as u0.32 for j = 0..15 (the values
    ``spinn_common``'s ``stdfix-exp.c`` holds, both rounded to nearest)."""
    with localcontext() as context:
        context.prec = 40
        whole = tuple(_round_u32_32(Decimal(k).exp()) for k in range(-13, 13))
        sixteenths = tuple(_round_u32_32(1 - (Decimal(-j) / 16).exp()) for j in range(16))
    return whole, sixteenths


_EXP_HI, _EXPM1_MID = _exp_tables()
# The quadratic series of ``expk`` on [0, 2^-4) (its three coefficients as the board's
# ``stdfix-exp.c`` states them; a minimax fit, not derivable from a closed form).
_EXP_SERIES = (5294, 4293434720, 2081624032)

_M32 = 0xFFFFFFFF
_M64 = 0xFFFFFFFFFFFFFFFF


def _int32(x: int) -> int:
    """Two's-complement wrap to int32 (C's conversion of a wider value to ``int32_t``)."""
    x &= _M32
    return x - (1 << 32) if x >= 1 << 31 else x


# -- host side: parameter encoding ------------------------------------------------------------


def s1615(value: float) -> int:
    """The s16.15 bits sPyNNaker's host writes for ``value``.

    ``spinn_front_end_common.interface.ds.DataType.S1615.encode_as_int``:
    ``int(round(Decimal(str(value)) * 32768))`` — the shortest decimal form of the float,
    scaled exactly, rounded half to even; out-of-range values raise.
    """
    value = float(value)
    if not S1615_MIN <= value <= S1615_MAX:
        raise ValueError(f"{value!r} cannot be represented as s16.15 (range [-65536, 65536))")
    return int(round(Decimal(repr(value)) * 32768))


def s1615_array(values) -> np.ndarray:
    """:func:`s1615` of every element, as int64."""
    flat = np.asarray(values, dtype=np.float64).ravel()
    return np.array([s1615(v) for v in flat], dtype=np.int64).reshape(np.shape(values))


def u032(value: float) -> int:
    """The u0.32 bits of ``value`` in [0, 1) (``DataType.U032``: round(value·2^32), half even)."""
    value = float(value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{value!r} is not in [0, 1)")
    return min(int(round(Decimal(repr(value)) * (1 << 32))), _M32)


def to_float(bits) -> np.ndarray:
    """s16.15 bits -> float64 (exact)."""
    return np.asarray(bits, dtype=np.float64) / 32768.0


# -- board side: the divisions and exponentials of neuron/synapse initialisation ---------------


def kdivk(a: int, b: int) -> int:
    """``kdivk`` (sPyNNaker ``neural_modelling/src/common/maths-util.h``): the unsigned 64-bit
    quotient ``(a << 15) / b``, truncated, reinterpreted as s16.15. Operands must be > 0."""
    if a < 0 or b <= 0:
        raise ValueError("kdivk is only used on positive operands")
    return _int32(((a << 15) // b) & _M32)


def kdivui(a: int, n: int) -> int:
    """``kdivui`` (maths-util.h): ``bitsk(a) / n`` as unsigned 64-bit, truncated."""
    return _int32((a // n) & _M32)


def _round64(x: int) -> int:
    """``round64`` (spinn_common ``include/utils.h``): high word, plus one when the low word is
    ``>= INT32_MAX`` (sic: 0x7FFFFFFF, not 0x80000000)."""
    return (x >> 32) + (1 if (x & _M32) >= INT32_MAX else 0)


def _scale64(x: int, y: int) -> int:
    """``scale64`` (utils.h): ``x·y / 2^32`` for a u64 ``x`` and a u0.32 ``y``, rounding only the
    product of the low word."""
    return (_round64((x & _M32) * y) + (x >> 32) * y) & _M64


def _coef_mult(c: int, x: int) -> int:
    return ((c * x) >> 32) & _M32


def _exp_series(x: int) -> int:
    tmp = (_EXP_SERIES[1] - _coef_mult(_EXP_SERIES[2], x)) & _M32
    tmp = _coef_mult(tmp, x)
    return (tmp + _EXP_SERIES[0]) & _M32


def expi64(n: int) -> int:
    """``__expi64`` (spinn_common ``src/stdfix-exp.c``): e^(n/2^15) as u32.32 for s16.15 bits
    ``n`` in [−340695, 363408]: table value at the next integer above, times e^(−f) in two
    factors (1/16 steps from a table, the rest by a quadratic series), each applied as
    ``t − scale64(t, c)``."""
    z = n >> 15
    f = n - (z << 15)
    if f > 0:
        z += 1
        f = 32768 - f
        t = _EXP_HI[13 + z]
        t = (t - _scale64(t, _EXPM1_MID[f >> 11])) & _M64
        y = ((f & 0x7FF) << 17) & _M32
        t = (t - _scale64(t, _exp_series(y))) & _M64
        return t
    return _EXP_HI[13 + z]


def expk(x: int) -> int:
    """``expk`` (stdfix-exp.c): e^x as s16.15, the u32.32 result shifted right by 17 (truncated);
    saturates to INT32_MAX above 363408 and to 0 below −340695."""
    if x > 363408:
        return INT32_MAX
    if x < -340695:
        return 0
    return _int32(expi64(x) >> 17)


def expulr(x: int) -> int:
    """``expulr`` (stdfix-exp.c): e^x as u0.32 bits, the low 32 bits of the u32.32 result (so
    ``expulr(0)`` wraps to 0); INT32_MAX above 363408, 0 below −340695."""
    if x > 363408:
        return INT32_MAX
    if x < -340695:
        return 0
    return expi64(x) & _M32


def ceil_accum(bits: int) -> int:
    """``lif_ceil_accum`` (``neuron_model_lif_impl.h``): integer part, plus one when any
    fractional bit is set."""
    return (bits >> 15) + (1 if bits & 0x7FFF else 0)


def decay_s1615_to_u032(x: int, decay: int) -> int:
    """``decay_s1615_to_u032`` (sPyNNaker ``neuron/decay.h``): ``(u64 x · decay) >> 15`` as u32."""
    return ((x & _M64) * decay >> 15) & _M32


def decay_s1615(x: int, decay: int) -> int:
    """``decay_s1615`` (decay.h): ``(s64 x · decay) >> 32`` (arithmetic shift: floor)."""
    return _int32((x * decay) >> 32)


def mul_round_nearest(x: int, y: int) -> int:
    """``MULT_ROUND_NEAREST_ACCUM`` on two ``accum`` (spinn_common ``include/round.h``,
    ``__stdfix_smul_k_round_nearest``): the 64-bit product, plus bit 14 carried in
    (``__stdfix_round_s64``: ties go up), shifted right by 15, saturated to int32."""
    if x == -(2**31) and y == -(2**31):
        return INT32_MAX
    p = x * y
    r = (p >> 15) + ((p >> 14) & 1)
    return max(-(2**31), min(INT32_MAX, r))


@dataclass(frozen=True)
class LifConstants:
    """One neuron's board state after ``neuron_model_initialise`` and friends (all int bits)."""

    v_init: int
    v_rest: int
    r_membrane: int  # s16.15, tau_m / c_m
    exp_tc: int  # s16.15, expk(−dt/tau_m)
    i_offset: int
    v_reset: int
    v_thresh: int
    t_refract: int  # ticks
    decay_e: int  # u0.32 (0 for delta synapses)
    init_e: int  # u0.32
    decay_i: int
    init_i: int
    delta: bool
    scale_factor: int  # s16.15, 1/dt (input_type_delta), ONE for current input


def exp_synapse_constants(tau_bits: int, ts: int) -> tuple[int, int]:
    """``decay_and_init`` (``synapse_types/exp_synapse_utils.h``): ``decay = expulr(−ts/tau)``;
    ``init = decay_s1615_to_u032(tau/ts, 1.0ulr − decay)`` — the (tau/dt)(1 − e^(−dt/tau))
    scaling of arriving input, as u0.32."""
    decay = expulr(-kdivk(ts, tau_bits))
    init = decay_s1615_to_u032(kdivk(tau_bits, ts), (ULR_ONE - decay) & _M32)
    return decay, init


def dsg_truncate(value: float, scale: float, bits: int, signed: bool) -> int:
    """The integer the sPyNNaker8-era host wrote for ``value``: ``int(value * scale)``, the float
    product truncated toward zero (``DataSpecificationGenerator`` of the ``DataSpecification``
    package of that era; 7.x rounds with ``Decimal`` instead, see :func:`s1615`)."""
    x = int(float(value) * scale)
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    if not lo <= x <= hi:
        raise ValueError(f"{value!r} does not fit the {'s' if signed else 'u'}{bits}-bit fixed-point field")
    return x


def accum_bits(value: float, scheme: str) -> int:
    """A parameter as the s16.15 bits the host of ``scheme`` writes: truncated (``"host"``,
    :func:`dsg_truncate`) or rounded (``"7.4.1"``, :func:`s1615`)."""
    return dsg_truncate(value, 32768.0, 32, True) if scheme == "host" else s1615(value)


def lif_constants_host(params: dict[str, float], dt: float, *, delta: bool) -> LifConstants:
    """Board constants as the sPyNNaker8-era host computed them (scheme ``"host"``).

    The host evaluated the closed-form constants in float64 and wrote them truncated:
    ``exp_TC = exp(−dt/tau_m)`` and ``R_membrane = tau_m/c_m`` as s16.15
    (``neuron_model_leaky_integrate_and_fire.py`` of that era), ``decay = exp(−dt/tau_syn)`` and
    ``init = (tau_syn/dt)(1 − decay)`` as u0.32 (``synapse_type_exponential.py``,
    ``get_exponential_decay_and_init``), ``T_refract = ceil(tau_refrac/dt)`` as an integer;
    the delta input's ``1/dt`` scale as s16.15. Every value truncated by :func:`dsg_truncate`.
    """
    s = lambda v: dsg_truncate(v, 32768.0, 32, True)  # noqa: E731
    u = lambda v: dsg_truncate(v, 4294967296.0, 32, False)  # noqa: E731
    if delta:  # that era's IF_curr_delta used the current input type: no 1/dt scaling
        decay_e = init_e = decay_i = init_i = 0
        scale = ONE
    else:
        de, di = math.exp(-dt / params["tau_syn_E"]), math.exp(-dt / params["tau_syn_I"])
        decay_e, init_e = u(de), u(params["tau_syn_E"] / dt * (1.0 - de))
        decay_i, init_i = u(di), u(params["tau_syn_I"] / dt * (1.0 - di))
        scale = ONE
    return LifConstants(
        v_init=accum_bits(params["v_init"], "host"),
        v_rest=s(params["v_rest"]),
        r_membrane=s(params["tau_m"] / params["cm"]),
        exp_tc=s(math.exp(-dt / params["tau_m"])),
        i_offset=s(params["i_offset"]),
        v_reset=s(params["v_reset"]),
        v_thresh=s(params["v_thresh"]),
        t_refract=int(math.ceil(params["tau_refrac"] / dt)),
        decay_e=decay_e,
        init_e=init_e,
        decay_i=decay_i,
        init_i=init_i,
        delta=delta,
        scale_factor=scale,
    )


SCHEMES = ("host", "7.4.1")
"""``host``: constants computed on the host in float64 and truncated (the sPyNNaker8 era, which
recorded the hardware data in ``tests/data/spinnaker_synfire``); ``7.4.1``: the host sends the
raw parameters and each core derives the constants with ``expk``/``expulr``/``kdivk``."""


def lif_constants(params: dict[str, float], dt: float, *, delta: bool) -> LifConstants:
    """Board constants of one ``IF_curr_exp`` (``delta=False``) or ``IF_curr_delta`` neuron as
    sPyNNaker 7.4.1 derives them (scheme ``"7.4.1"``).

    ``params`` holds the PyNN parameters (``cm``, ``tau_m``, ``tau_refrac``, ``v_rest``,
    ``v_reset``, ``v_thresh``, ``i_offset``, ``v_init``, and ``tau_syn_E``/``tau_syn_I`` for
    exponential synapses). The host writes each as s16.15 together with the time step
    (``neuron_model_leaky_integrate_and_fire.py``, ``synapse_type_exponential.py``,
    ``input_type_delta.py``); the core derives the rest in ``neuron_model_initialise``
    (``neuron_model_lif_impl.h``), ``decay_and_init`` and ``input_type_initialise``
    (``input_type_delta.h``), with one sub-step per time step (``n_steps_per_timestep = 1``).
    """
    ts = kdivui(s1615(dt), 1)
    tau_m, cm = s1615(params["tau_m"]), s1615(params["cm"])
    if delta:
        decay_e = init_e = decay_i = init_i = 0
        scale = kdivk(ONE, ts)
    else:
        decay_e, init_e = exp_synapse_constants(s1615(params["tau_syn_E"]), ts)
        decay_i, init_i = exp_synapse_constants(s1615(params["tau_syn_I"]), ts)
        scale = ONE
    return LifConstants(
        v_init=accum_bits(params["v_init"], "7.4.1"),
        v_rest=s1615(params["v_rest"]),
        r_membrane=kdivk(tau_m, cm),
        exp_tc=expk(-kdivk(ts, tau_m)),
        i_offset=s1615(params["i_offset"]),
        v_reset=s1615(params["v_reset"]),
        v_thresh=s1615(params["v_thresh"]),
        t_refract=ceil_accum(kdivk(s1615(params["tau_refrac"]), ts)),
        decay_e=decay_e,
        init_e=init_e,
        decay_i=decay_i,
        init_i=init_i,
        delta=delta,
        scale_factor=scale,
    )


# -- host side: ring-buffer left shift and 16-bit weights ---------------------------------------


@dataclass
class IncomingStats:
    """What ``PopulationVertex.get_ring_buffer_shifts`` accumulates for one synapse type
    (``spynnaker/pyNN/models/neuron/population_vertex.py``, class ``_Stats``)."""

    n: float = 0.0
    mean: float = 0.0
    mean_2: float = 0.0
    delay_n: float = 0.0
    delay_mean_2: float = 0.0
    rate_n: float = 0.0
    rate_mean: float = 0.0
    biggest_weight: float = 0.0
    total_weight: float = 0.0

    @staticmethod
    def _merge(n, mean, mean_2, k, m, var):
        # spynnaker/pyNN/utilities/running_stats.py RunningStats.add_items
        if k <= 0:
            return n, mean, mean_2
        new_n = n + k
        delta = m - mean
        new_mean = (n * mean + k * m) / new_n
        new_mean_2 = mean_2 + var * (k - 1.0) + delta * delta * n * k / new_n
        return new_n, new_mean, new_mean_2

    def add(
        self,
        *,
        n_conns: int,
        w_mean: float,
        w_var: float,
        w_max: float,
        d_var: float,
        spikes_per_tick: float,
        spikes_per_second: float,
    ) -> None:
        """``_Stats.__add_details`` for one projection (global weight scale 1: current and delta
        input types)."""
        self.n, self.mean, self.mean_2 = self._merge(self.n, self.mean, self.mean_2, n_conns, w_mean, w_var)
        self.biggest_weight = max(self.biggest_weight, w_max)
        self.delay_n, _, self.delay_mean_2 = self._merge(
            self.delay_n, 0.0, self.delay_mean_2, n_conns, 0.0, d_var
        )
        self.rate_n, self.rate_mean, _ = self._merge(
            self.rate_n, self.rate_mean, 0.0, n_conns, spikes_per_second, 0.0
        )
        self.total_weight += spikes_per_tick * (w_max * n_conns)

    def max_weight(self, dt: float) -> float:
        """``_Stats.get_max_weight``: with no delay variance the plain worst case
        ``max(Σ spikes_per_tick·w_max·n_conns, biggest weight)``; otherwise the Poisson upper bound
        ``_ring_buffer_expected_upper_bound`` capped by that worst case."""
        delay_var = self.delay_mean_2 / (self.delay_n - 1.0) if self.delay_n > 1 else 0.0
        if delay_var == 0.0:
            return max(self.total_weight, self.biggest_weight)
        var = self.mean_2 / (self.n - 1.0) if self.n > 1 else 0.0
        bound = _expected_upper_bound(
            self.mean, math.sqrt(var), self.rate_mean, int(self.n), RING_BUFFER_SIGMA, dt
        )
        return max(min(bound, self.total_weight), self.biggest_weight)


def _expected_upper_bound(w_mean, w_std, rate, n_in, sigma, dt):
    """``_Stats._ring_buffer_expected_upper_bound`` (same formula, scipy's gammaln/gammaincc)."""
    from scipy import special

    per_step = float(n_in * rate) / (1000.0 / dt)
    poisson_var = per_step * w_mean**2
    upper = int(round(per_step + POISSON_SIGMA_SUMMATION_LIMIT * math.sqrt(per_step)))
    weight_var = 0.0
    if w_std > 0:
        lngamma = special.gammaln(1 + upper)
        gammai = special.gammaincc(1 + upper, per_step)
        big_ratio = math.log(per_step) * upper - lngamma
        if -701.0 < big_ratio < 701.0 and big_ratio != 0.0:
            weight_var = math.exp(
                -per_step
                + math.log(per_step)
                + 2.0 * math.log(w_std)
                + math.log(math.exp(per_step) * gammai - math.exp(big_ratio))
            )
    return per_step * w_mean + sigma * math.sqrt(poisson_var + weight_var)


def ring_buffer_shift(max_weight: float) -> int:
    """``PopulationVertex.get_ring_buffer_shifts``: ``ceil(log2(max_weight))`` (at least 0), plus
    one more when ``2^shift <= max_weight`` (the 16-bit range stops just below 2^shift); 0 for no
    weight."""
    if max_weight <= 0:
        return 0
    power = int(math.ceil(max(0.0, math.log2(max_weight))))
    return power + 1 if 2.0**power <= max_weight else power


def weight_scale(shift: int) -> float:
    """``PopulationVertex.__get_weight_scale``: ``2^(16 − (shift + 1))`` (global scale 1)."""
    return float(2.0 ** (16 - (shift + 1)))


def encode_weights(weights: np.ndarray, shift: int) -> np.ndarray:
    """16-bit synaptic-row weights (``SynapseDynamicsStatic.get_static_synaptic_data``):
    ``rint(|w|·scale) & 0xFFFF`` (numpy ``rint``: halves to even; bits above 16 are lost)."""
    scaled = np.abs(np.asarray(weights, dtype=np.float64)) * weight_scale(shift)
    return (np.rint(scaled).astype(np.int64) & 0xFFFF).astype(np.int64)


def poisson_spikes_per_tick(max_rate: float, dt: float) -> float:
    """``SpikeSourcePoissonVertex.max_spikes_per_ts``."""
    per_tick = max_rate / (1000.0 / dt)
    if per_tick < SLOW_RATE_PER_TICK_CUTOFF:
        return 1.0
    from scipy import stats

    return int(math.ceil(stats.poisson.ppf(1.0 - 1.0 / 1000.0, per_tick))) + 1.0
