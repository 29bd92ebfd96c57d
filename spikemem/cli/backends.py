"""``spikemem backends``: the registered backends, whether they import here, what they support."""

from __future__ import annotations

import textwrap

import click

from ..backends import available_backends

__all__ = ["backends_command"]

NAME_WIDTH = 12
"""Characters of the backend-name column."""


@click.command("backends")
def backends_command() -> None:
    """List the registered backends, whether they import here, and what they support."""
    try:
        table = available_backends()
    except Exception as error:  # only ImportError is expected; anything else is a broken backend
        raise click.ClickException(f"could not list the backends: {error!r}") from error
    indent = " " * (NAME_WIDTH + 1)
    for name, backend in table.items():
        if isinstance(backend, Exception):
            click.echo(f"{name:<{NAME_WIDTH}} unavailable  {backend}")
            continue
        click.echo(f"{name:<{NAME_WIDTH}} available")
        capabilities = (
            ", ".join(sorted(getattr(c, "value", str(c)) for c in backend.capabilities)) or "none declared"
        )
        click.echo(
            textwrap.fill(
                capabilities,
                width=100,
                initial_indent=indent,
                subsequent_indent=indent,
                break_on_hyphens=False,
            )
        )
