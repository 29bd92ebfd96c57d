"""NEST checks of ``spikemem doctor``."""

from __future__ import annotations

import os
import warnings

from ..pynn.options import Check

__all__ = ["doctor_checks"]


def doctor_checks() -> list[Check]:
    """NEST and pyNN.nest import, versions, and whether this NEST build has MPI and threads."""
    from importlib import metadata

    checks = []
    for dist, pin in (("nest-simulator", "3.10.0"), ("pyNN", "0.13.0")):
        try:
            have = metadata.version(dist)
        except metadata.PackageNotFoundError:
            checks.append(Check(dist, False, "not installed", fix="pip install 'spikemem[nest]'"))
            continue
        checks.append(
            Check(
                dist,
                True,
                have + ("" if have == pin else f" (spikemem is tested with {pin})"),
                warning=have != pin,
            )
        )
    if not all(c.ok for c in checks):
        return checks
    os.environ.setdefault("PYNEST_QUIET", "1")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import nest
            import pyNN.nest  # noqa: F401 - the import is the check
        info = nest.GetKernelStatus("build_info")
    except Exception as error:  # noqa: BLE001 - reported, not raised
        checks.append(
            Check("pyNN.nest", False, f"import failed: {error!r}", fix="pip install 'spikemem[nest]'")
        )
        return checks
    checks.append(Check("pyNN.nest", True, "imports (its optional NEST extensions are not needed)"))
    mpi = bool(info.get("have_mpi"))
    checks.append(
        Check(
            "NEST MPI",
            True,
            "built with MPI: `mpirun -n N python script.py` distributes the network"
            if mpi
            else "this NEST build has no MPI (the PyPI wheel): use threads=N, or a NEST built with MPI "
            "for mpirun (docs/nest.md)",
            warning=not mpi,
        )
    )
    checks.append(Check("NEST threads", True, f"threads model {info.get('threads_model', '?')}"))
    return checks
