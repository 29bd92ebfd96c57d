"""PyNN's random numbers: :class:`NumpyRNG` and :class:`RandomDistribution`, drawn on the host.

Every value a script draws (weights, delays, initial values, parameters) is drawn here, once,
before the network reaches a backend, so every backend sees the same numbers. A generator
without a seed is seeded from ``setup(seed=...)`` and the name of what it draws for, so the
same script with the same seed gives the same values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ir.connectivity import projection_seed
from ..ir.errors import IRValidationError

__all__ = ["GSLRNG", "NativeRNG", "NumpyRNG", "RandomDistribution"]

# PyNN's distribution names, their parameter names (in positional order) and numpy's draw
_DISTRIBUTIONS: dict[str, tuple[tuple[str, ...], Any]] = {
    "uniform": (("low", "high"), lambda g, p, n: g.uniform(p["low"], p["high"], n)),
    "uniform_int": (
        ("low", "high"),
        lambda g, p, n: g.integers(p["low"], p["high"], n, endpoint=True).astype(float),
    ),
    "normal": (("mu", "sigma"), lambda g, p, n: g.normal(p["mu"], p["sigma"], n)),
    "normal_clipped": (("mu", "sigma", "low", "high"), None),
    "normal_clipped_to_boundary": (
        ("mu", "sigma", "low", "high"),
        lambda g, p, n: np.clip(g.normal(p["mu"], p["sigma"], n), p["low"], p["high"]),
    ),
    "exponential": (("beta",), lambda g, p, n: g.exponential(p["beta"], n)),
    "lognormal": (("mu", "sigma"), lambda g, p, n: g.lognormal(p["mu"], p["sigma"], n)),
    "gamma": (("k", "theta"), lambda g, p, n: g.gamma(p["k"], p["theta"], n)),
    "poisson": (("lambda_",), lambda g, p, n: g.poisson(p["lambda_"], n).astype(float)),
    "binomial": (("n", "p"), lambda g, p, n: g.binomial(p["n"], p["p"], n).astype(float)),
    "vonmises": (("mu", "kappa"), lambda g, p, n: g.vonmises(p["mu"], p["kappa"], n)),
}


class NumpyRNG:
    """A seeded numpy generator (PyNN's ``NumpyRNG``).

    Parameters
    ----------
    seed : int or None
        Seed; ``None`` takes one from ``setup(seed=...)`` and the use (deterministic, unlike
        PyNN, where ``None`` means a fresh random seed).
    parallel_safe : bool
        Accepted for compatibility (spikemem runs in one process; draws are always the same).
    """

    def __init__(self, seed: int | None = None, parallel_safe: bool = True) -> None:
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0
        ):
            raise IRValidationError("NumpyRNG", "seed", seed, "None or an integer >= 0")
        self.seed = None if seed is None else int(seed)
        self.parallel_safe = parallel_safe
        self._generator: np.random.Generator | None = None

    def generator(self, fallback_seed: int, use: str) -> np.random.Generator:
        """The generator (created on first use; without a seed, from ``fallback_seed`` and ``use``)."""
        if self._generator is None:
            sequence = (
                np.random.SeedSequence(self.seed)
                if self.seed is not None
                else projection_seed(fallback_seed, use)
            )
            self._generator = np.random.Generator(np.random.PCG64(sequence))
        return self._generator

    def next(
        self,
        n: int | None = None,
        distribution: str = "uniform",
        parameters: dict | None = None,
        mask: Any = None,
    ) -> Any:
        """``n`` values of ``distribution`` (PyNN's signature; ``mask`` is not supported)."""
        if mask is not None:
            raise NotImplementedError("NumpyRNG.next(mask=...) (MPI masks) is not supported by spikemem.pynn")
        values = RandomDistribution(distribution, rng=self, **(parameters or {})).next(1 if n is None else n)
        return values[0] if n is None else values

    def __repr__(self) -> str:
        return f"NumpyRNG(seed={self.seed})"


class GSLRNG(NumpyRNG):
    """PyNN's GSL generator: not available (spikemem draws with numpy only)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("GSLRNG is not supported by spikemem.pynn; use NumpyRNG")


class NativeRNG(NumpyRNG):
    """PyNN's simulator-native generator: not available (values are drawn on the host)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(
            "NativeRNG is not supported by spikemem.pynn (values are drawn on the host); use NumpyRNG"
        )


class RandomDistribution:
    """A distribution to draw parameters, weights, delays or initial values from.

    Parameters
    ----------
    distribution : str
        One of ``uniform``, ``uniform_int``, ``normal``, ``normal_clipped``,
        ``normal_clipped_to_boundary``, ``exponential``, ``lognormal``, ``gamma``, ``poisson``,
        ``binomial``, ``vonmises`` (PyNN's names and parameters).
    parameters_pos : tuple or None
        The parameters in PyNN's positional order (e.g. ``(low, high)``).
    rng : NumpyRNG or None
        The generator; ``None`` uses one seeded from ``setup(seed=...)``.
    **parameters_named
        The parameters by name (e.g. ``mu=0.0, sigma=1.0``).

    Raises
    ------
    IRValidationError
        For an unknown distribution or wrong parameters.
    """

    def __init__(
        self,
        distribution: str,
        parameters_pos: tuple | None = None,
        rng: NumpyRNG | None = None,
        **parameters_named: Any,
    ) -> None:
        if distribution not in _DISTRIBUTIONS:
            raise IRValidationError(
                "RandomDistribution", "distribution", distribution, ", ".join(_DISTRIBUTIONS)
            )
        names = _DISTRIBUTIONS[distribution][0]
        if parameters_pos is not None and parameters_named:
            raise IRValidationError(
                "RandomDistribution",
                "parameters",
                parameters_named,
                "either positional or named parameters, not both",
            )
        if parameters_pos is not None:
            if len(parameters_pos) != len(names):
                raise IRValidationError(
                    "RandomDistribution", "parameters_pos", parameters_pos, f"({', '.join(names)})"
                )
            parameters = dict(zip(names, parameters_pos, strict=True))
        else:
            parameters = dict(parameters_named)
        if "lambda" in parameters:  # PyNN spells it lambda_ because lambda is a keyword
            parameters["lambda_"] = parameters.pop("lambda")
        if set(parameters) != set(names):
            raise IRValidationError(
                "RandomDistribution", "parameters", sorted(parameters), f"{distribution}: {', '.join(names)}"
            )
        if rng is not None and not isinstance(rng, NumpyRNG):
            raise IRValidationError("RandomDistribution", "rng", rng, "None or a NumpyRNG")
        self.name = distribution
        self.parameters = {k: float(v) for k, v in parameters.items()}
        self.rng = rng
        self._fallback: NumpyRNG | None = None

    def bind(self, seed: int, use: str) -> np.random.Generator:
        """The generator this distribution draws from (``rng``'s, or one derived from ``seed``
        and ``use`` when it has none)."""
        if self.rng is not None:
            return self.rng.generator(seed, use)
        if self._fallback is None:
            self._fallback = NumpyRNG()
        return self._fallback.generator(seed, "RandomDistribution:" + use)

    def draw(self, n: int, seed: int, use: str) -> np.ndarray:
        """``n`` values (float64), drawn on the host."""
        generator = self.bind(seed, use)
        if self.name == "normal_clipped":
            return _normal_clipped(generator, self.parameters, n)
        return np.asarray(_DISTRIBUTIONS[self.name][1](generator, self.parameters, n), dtype=np.float64)

    def next(self, n: int | None = None, mask: Any = None) -> Any:
        """``n`` values (one float for ``n=None``), PyNN's method."""
        if mask is not None:
            raise NotImplementedError(
                "RandomDistribution.next(mask=...) (MPI masks) is not supported by spikemem.pynn"
            )
        from .simulator import current_seed

        values = self.draw(1 if n is None else int(n), current_seed(), "next")
        return float(values[0]) if n is None else values

    def __repr__(self) -> str:
        return f"RandomDistribution({self.name!r}, {self.parameters}, rng={self.rng!r})"


def _normal_clipped(generator: np.random.Generator, p: dict[str, float], n: int) -> np.ndarray:
    """Normal values redrawn until inside ``[low, high]`` (PyNN's ``normal_clipped``)."""
    if p["low"] >= p["high"]:
        raise IRValidationError("RandomDistribution", "low", p["low"], f"low < high ({p['high']})")
    out = generator.normal(p["mu"], p["sigma"], n)
    bad = (out < p["low"]) | (out > p["high"])
    for _ in range(10_000):
        if not bad.any():
            return out
        out[bad] = generator.normal(p["mu"], p["sigma"], int(bad.sum()))
        bad = (out < p["low"]) | (out > p["high"])
    raise IRValidationError(
        "RandomDistribution", "normal_clipped", p, "bounds that hold a reasonable share of the mass"
    )
