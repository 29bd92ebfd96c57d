"""The equivalence suite runs every test on every installed backend variant.

Variants come from :func:`spikemem.verify.installed_variants` (Numba; Brian2's runtime device
with the Cython and numpy targets and its cpp_standalone device; brian2cuda's cuda_standalone
where a GPU is present; NEST; SpiNNaker with a configured board; Nengo). A test declares the
capabilities it needs and is skipped, with the missing capability as the reason, on variants that lack them.

``variant`` covers every variant; ``cheap_variant`` leaves out the standalone devices (one C++
build each, seconds to minutes) and is used for the deliberately broken variants: they show
that a check *can* fail, which does not depend on the device.
"""

from __future__ import annotations

import os

# Brian2's C++ builds at -O0: half the build time of an -O3 build for these short runs, and the
# same results (no fast-math, no contraction; see spikemem.backends.brian2.devices.gcc_args).
os.environ.setdefault("SPIKEMEM_BRIAN2_OPT", "-O0")

import pytest  # noqa: E402

from .variants import CHEAP, VARIANTS  # noqa: E402


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "variant" in metafunc.fixturenames:
        metafunc.parametrize("variant", VARIANTS, ids=[v.label for v in VARIANTS])
    if "cheap_variant" in metafunc.fixturenames:
        metafunc.parametrize("cheap_variant", CHEAP, ids=[v.label for v in CHEAP])
