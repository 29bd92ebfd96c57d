"""``spikemem doctor``: check the installation and the SpiNNaker and NEST set-up, run nothing."""

from __future__ import annotations

import sys
from importlib import metadata

import click

from ..backends import available_backends
from ..backends.pynn.options import Check
from .options import machine_kwargs, machine_options

__all__ = ["core_checks", "doctor_command"]

MARK_WIDTH = 9
"""Indent of a check's fix lines, under its message."""


@click.command("doctor")
@machine_options
@click.option(
    "--no-network", is_flag=True, help="Do not resolve the board's host or contact the spalloc server."
)
def doctor_command(
    board: str | None,
    board_version: str | None,
    spalloc: str | None,
    virtual: bool,
    cfg: str | None,
    no_network: bool,
) -> None:
    """Check the installation and the SpiNNaker / NEST configuration without running a network.
    Exits with status 1 if a check fails."""
    from ..backends.nest.doctor import doctor_checks as nest_checks
    from ..backends.spinnaker.config import doctor_checks as spinnaker_checks

    sections = [
        ("core", core_checks()),
        (
            "spinnaker",
            spinnaker_checks(
                network=not no_network, **machine_kwargs(board, board_version, spalloc, virtual, cfg)
            ),
        ),
        ("nest", nest_checks()),
    ]
    failed = 0
    for title, checks in sections:
        click.echo(f"[{title}]")
        for check in checks:
            failed += _echo_check(check)
    if failed:
        raise click.ClickException(f"{failed} check(s) failed")


def _echo_check(check: Check) -> int:
    """Print one check (and its fix when it failed or warns); 1 if it failed, else 0."""
    mark = "ok  " if check.ok and not check.warning else ("warn" if check.ok else "FAIL")
    click.echo(f"  {mark} {check.name}: {check.message}")
    if not check.ok or check.warning:
        for line in check.fix.splitlines():
            click.echo(" " * MARK_WIDTH + line)
    return 0 if check.ok else 1


def core_checks() -> list[Check]:
    """Python, numpy (brian2 needs < 2.4), numba, and whether each registered backend imports."""
    checks = [
        Check("python", sys.version_info >= (3, 10), sys.version.split()[0], fix="Python >= 3.10 is needed")
    ]
    try:
        import numpy

        major, minor = (int(x) for x in numpy.__version__.split(".")[:2])
        ok = (major, minor) < (2, 4)
        checks.append(
            Check(
                "numpy",
                ok,
                numpy.__version__ + ("" if ok else " (brian2 2.9 needs numpy < 2.4)"),
                fix="pip install 'numpy<2.4'",
            )
        )
    except ImportError:  # pragma: no cover - spikemem needs numpy
        checks.append(Check("numpy", False, "not installed"))
    try:
        checks.append(Check("numba", True, metadata.version("numba")))
    except metadata.PackageNotFoundError:
        checks.append(Check("numba", False, "not installed", fix="pip install numba"))
    for name, backend in available_backends().items():
        if isinstance(backend, Exception):
            checks.append(Check(f"backend {name}", True, f"unavailable: {backend}", warning=True))
        else:
            checks.append(Check(f"backend {name}", True, "available"))
    return checks
