"""The one error path of the ``spikemem`` command line.

Every command runs inside :class:`ErrorHandlingGroup`: an exception that escapes a command
becomes one line on stderr and exit status 1 (usage errors: 2), ``KeyboardInterrupt`` (Ctrl-C)
exit status 130, and ``spikemem --debug COMMAND ...`` (or ``SPIKEMEM_DEBUG=1``) lets the
exception through with its traceback instead.
"""

from __future__ import annotations

from typing import Any

import click

__all__ = ["EXIT_INTERRUPTED", "ErrorHandlingGroup", "Interrupted", "one_line"]

EXIT_INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT), the shell convention."""

_PASS_THROUGH = (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit)


class Interrupted(click.exceptions.Exit):
    """Ctrl-C: print ``message`` (what was kept) on stderr and exit with status 130."""

    def __init__(self, message: str) -> None:
        click.echo(f"interrupted: {message}", err=True)
        super().__init__(EXIT_INTERRUPTED)


def one_line(error: BaseException) -> str:
    """A one-line message for ``error``: the project's own message where it has one, else the
    exception's type and text, with a pointer to ``--debug`` for errors that are not expected."""
    from ..ir.errors import IRValidationError, UnsupportedFeature

    text = " ".join(str(error).split()) or type(error).__name__
    if isinstance(error, MemoryError):
        return (
            "out of memory: this run needs more memory than is free here; record fewer state "
            "variables, sample them less often (state_every), or shorten the run"
        )
    if isinstance(error, RecursionError):
        return f"input nested too deeply to process ({text})"
    if isinstance(error, (IRValidationError, UnsupportedFeature)):
        return text
    if isinstance(error, ImportError):
        return f"a package this command needs is not installed: {text}"
    if isinstance(error, OSError):
        return text if error.filename is None else f"{error.strerror or text}: {error.filename}"
    if _is_project_error(error):
        return text
    return f"{type(error).__name__}: {text} (unexpected; 'spikemem --debug ...' shows the traceback)"


def _is_project_error(error: BaseException) -> bool:
    """Whether ``error`` is one of spikemem's own exception types (their messages are complete)."""
    return type(error).__module__.split(".")[0] == "spikemem"


class ErrorHandlingGroup(click.Group):
    """A click group whose commands share one error path (see the module docstring)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except _PASS_THROUGH:
            raise
        except KeyboardInterrupt:
            if ctx.params.get("debug"):
                raise
            raise Interrupted(
                "stopped by Ctrl-C; files already written are complete, none is partial"
            ) from None
        except Exception as error:  # noqa: BLE001 - the one place every command's errors end up
            if ctx.params.get("debug"):
                raise
            raise click.ClickException(one_line(error)) from error
