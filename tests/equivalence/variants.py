"""Backend variants of the equivalence suite (see ``conftest.py``)."""

from __future__ import annotations

import pytest

from spikemem.backends.base import Capability
from spikemem.ir import IRValidationError, UnsupportedFeature
from spikemem.verify import hardware_reachable, installed_variants

VARIANTS = [v for v in installed_variants(numpy_target=True, standalone=True) if hardware_reachable(v)]
"""Every installed variant (the reference first); hardware backends only with a configured
machine (a virtual board maps but runs nothing; mapping is tested in ``tests/backends/spinnaker``)."""

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
