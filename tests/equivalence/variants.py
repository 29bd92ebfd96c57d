"""Backend variants of the equivalence suite (see ``conftest.py``)."""

from __future__ import annotations

import pytest

from spikemem.backends.base import Capability
from spikemem.ir import IRValidationError, UnsupportedFeature
from spikemem.verify import installed_variants

VARIANTS = installed_variants(numpy_target=True, standalone=True)
"""Every installed variant (the reference first)."""


def _hardware_reachable(variant) -> bool:
    """Hardware backends (SpiNNaker) return spikes only from a real machine: keep them when one is
    configured (``$SPIKEMEM_SPINNAKER=board:HOST:5`` or ``spalloc:URL``, or ``~/.spynnaker.cfg``);
    a virtual board only maps (tested in ``tests/backends/spinnaker``)."""
    if Capability.HARDWARE not in variant.capabilities:
        return True
    from spikemem.backends.spinnaker import hardware_configured

    return hardware_configured()


VARIANTS = [v for v in VARIANTS if _hardware_reachable(v)]

CHEAP = [v for v in VARIANTS if not any(k == "device" and "standalone" in str(d) for k, d in v.options)]
"""The variants that need no standalone build."""


def run(variant, network, schedule=None, duration=None, **options):
    """``variant.run(...)``; a backend that raises ``UnsupportedFeature`` for something the test
    needs, or refuses the test's time step, is skipped with its message (a capability gap, not
    a failure)."""
    try:
        return variant.run(network, schedule, duration, progress=False, **options)
    except UnsupportedFeature as error:
        pytest.skip(f"{variant.label}: {error}")
    except IRValidationError as error:
        if error.parameter != "dt":
            raise
        pytest.skip(f"{variant.label}: {error}")


def require(variant, *capabilities: Capability) -> None:
    """Skip unless ``variant`` declares every capability."""
    missing = [c.value for c in capabilities if c not in variant.capabilities]
    if missing:
        pytest.skip(f"{variant.label} lacks {', '.join(missing)}")


def require_any(variant, *capabilities: Capability) -> None:
    """Skip unless ``variant`` declares at least one of ``capabilities``."""
    if not any(c in variant.capabilities for c in capabilities):
        pytest.skip(f"{variant.label} lacks all of {', '.join(c.value for c in capabilities)}")
