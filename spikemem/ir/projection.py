"""Projections: synapses from one population (or view) to another."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._checks import (
    check_choice,
    check_name,
    check_range,
    ir_dataclass,
    readonly_int_array,
    scalar_or_array,
)
from .cells import is_source
from .connectors import CONNECTOR_TYPES, FixedNumberPost, FixedNumberPre, FixedTotalNumber, FromList, OneToOne
from .dendrites import DendriticNeuron
from .errors import IRValidationError
from .plasticity import STDP
from .population import Population, PopulationView

RECEPTORS = ("excitatory", "inhibitory")


@ir_dataclass
class Projection:
    """Synapses from ``pre`` to ``post`` made by ``connector``.

    Parameters
    ----------
    name : str
        Unique name within the network.
    pre, post : Population or PopulationView
        Source and target neurons; ``post`` must not be a spike source.
    connector : OneToOne, AllToAll, FixedProbability or FromList
        Which pairs are connected (positions within the pre and post selections).
    weight : float or array
        Synaptic weight, ``>= 0`` (nA; mV for ``IF_curr_delta`` targets). An array gives one
        value per synapse in the order :func:`spikemem.ir.connectivity.resolve` returns them.
        The sign comes from ``receptor``.
    delay : float or array
        Synaptic delay (ms), ``> 0``; rounded to the time grid at compile time (one rule:
        nearest step, halves up; at least one step).
    receptor : {"excitatory", "inhibitory"}
        Receptor type on the post neuron.
    plasticity : STDP or None
        Plasticity rule, or ``None`` for static synapses.
    segment : int or array of int or None
        Target dendritic segment of each synapse (index within the post neuron, one value for
        all synapses or one per synapse in resolve order). Required when ``post`` is a
        :class:`~spikemem.ir.DendriticNeuron` population (then the weight must be 1, the
        receptor excitatory and the synapses static), and ``None`` otherwise.
    """

    name: str
    pre: Any
    post: Any
    connector: Any
    weight: Any = 0.0
    delay: Any = 1.0
    receptor: str = "excitatory"
    plasticity: Any = None
    segment: Any = None

    def __post_init__(self) -> None:
        check_name("Projection", self.name)
        owner = f"Projection {self.name!r}"
        for side in ("pre", "post"):
            if not isinstance(getattr(self, side), (Population, PopulationView)):
                raise IRValidationError(owner, side, getattr(self, side), "a Population or PopulationView")
        if is_source(self.post.population.cell):
            raise IRValidationError(owner, "post", self.post.name, "a population of neurons, not a spike source")
        if type(self.connector).__name__ not in CONNECTOR_TYPES:
            raise IRValidationError(owner, "connector", self.connector, "one of " + ", ".join(CONNECTOR_TYPES))
        check_choice(owner, "receptor", self.receptor, RECEPTORS)
        for name, low_open in (("weight", False), ("delay", True)):
            value = scalar_or_array(owner, name, getattr(self, name))
            check_range(owner, name, value, low=0.0, low_open=low_open, high=1e6)
            object.__setattr__(self, name, value)
        if self.plasticity is not None and not isinstance(self.plasticity, STDP):
            raise IRValidationError(owner, "plasticity", self.plasticity, "None or STDP")
        self._check_connector(owner)
        self._check_segment(owner)

    def _check_segment(self, owner: str) -> None:
        cell = self.post.population.cell
        if not isinstance(cell, DendriticNeuron):
            if self.segment is not None:
                raise IRValidationError(owner, "segment", self.segment, "None (the post cells have no dendritic segments)")
            return
        if self.segment is None:
            raise IRValidationError(owner, "segment", None, "the target segment of each synapse (post is a DendriticNeuron)")
        if isinstance(self.segment, (int, np.integer)) and not isinstance(self.segment, bool):
            segment: int | np.ndarray = int(self.segment)
        else:
            segment = readonly_int_array(owner, "segment", self.segment)
        check_range(owner, "segment", segment, low=0, high=cell.n_segments - 1)
        object.__setattr__(self, "segment", segment)
        if self.receptor != "excitatory" or self.plasticity is not None:
            raise IRValidationError(owner, "receptor", self.receptor, "static excitatory synapses onto dendritic segments")
        weights = np.atleast_1d(np.asarray(self.weight))
        if isinstance(self.connector, FromList) and self.connector.weight is not None:
            weights = self.connector.weight
        if np.any(weights != 1.0):
            raise IRValidationError(owner, "weight", float(weights[weights != 1.0][0]), "1 (each synapse onto a segment counts one event)")

    def _check_connector(self, owner: str) -> None:
        connector = self.connector
        if isinstance(connector, (FixedNumberPre, FixedNumberPost, FixedTotalNumber)):
            _check_fixed_number(owner, connector, self.pre.size, self.post.size)
        if isinstance(connector, OneToOne) and self.pre.size != self.post.size:
            raise IRValidationError(
                owner, "connector", "OneToOne",
                f"equal pre and post sizes (pre {self.pre.size}, post {self.post.size})",
            )
        if isinstance(connector, FromList):
            if connector.pre.size and connector.pre.max() >= self.pre.size:
                raise IRValidationError(owner, "FromList.pre", int(connector.pre.max()), f"indices in [0, {self.pre.size - 1}]")
            if connector.post.size and connector.post.max() >= self.post.size:
                raise IRValidationError(owner, "FromList.post", int(connector.post.max()), f"indices in [0, {self.post.size - 1}]")
            if connector.weight is not None:
                check_range(owner, "FromList.weight", connector.weight, low=0.0, high=1e6)
            if connector.delay is not None:
                check_range(owner, "FromList.delay", connector.delay, low=0.0, low_open=True, high=1e6)
        if self.plasticity is not None:
            bounds = self.plasticity.weight
            weights = [np.asarray(self.weight)]
            if isinstance(connector, FromList) and connector.weight is not None:
                weights.append(connector.weight)
            for w in weights:
                if w.size and (w.min() < bounds.w_min or w.max() > bounds.w_max):
                    raise IRValidationError(
                        owner, "weight", float(w.min() if w.min() < bounds.w_min else w.max()),
                        f"initial weights within the STDP bounds [{bounds.w_min}, {bounds.w_max}]",
                    )

    @property
    def plastic(self) -> bool:
        """True when the projection has a plasticity rule."""
        return self.plasticity is not None


def _check_fixed_number(owner: str, connector: Any, n_pre: int, n_post: int) -> None:
    """Refuse a fixed number of synapses that the candidates cannot provide."""
    self_pairs = 0 if connector.allow_self_connections else min(n_pre, n_post)
    if isinstance(connector, FixedTotalNumber):
        candidates, per = n_pre * n_post - self_pairs, "in all"
    else:
        pool = n_pre if isinstance(connector, FixedNumberPre) else n_post
        candidates = pool - (1 if self_pairs else 0)
        per = "per post neuron" if isinstance(connector, FixedNumberPre) else "per pre neuron"
    rows = {"FixedNumberPre": n_post, "FixedNumberPost": n_pre}.get(connector.kind, 1)
    if connector.n == 0 or rows == 0:
        return
    limit = candidates if not connector.with_replacement else (candidates and 2**62)
    if connector.n > limit:
        raise IRValidationError(
            owner, f"{connector.kind}.n", connector.n,
            f"at most {candidates} ({candidates} candidate pairs {per}"
            + ("" if connector.allow_self_connections else ", self-connections excluded")
            + ("; with_replacement=True draws more" if not connector.with_replacement and candidates else "")
            + ")",
        )
