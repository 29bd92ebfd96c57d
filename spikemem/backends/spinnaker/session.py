"""Run sPyNNaker in its own folder, without touching the user's home or working directory.

sPyNNaker is process-global: it reads ``spynnaker.cfg`` from the *current* directory and
``~/.spynnaker.cfg`` from ``HOME`` (writing a template there when missing), and writes its
reports under the current directory. :func:`isolated_session` gives one run a folder of its
own, with the generated cfg, ``HOME`` and the XDG config folders pointing inside it, and
restores the working directory and environment afterwards. Warnings that sPyNNaker logs are
collected for the mapping report, and its progress bars go to ``spinnaker.log`` in the folder.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Session", "isolated_session"]

_LOGGER_PREFIXES = ("spinn", "spynnaker", "pacman", "spalloc", "data_specification", "pyNN")


@dataclass
class Session:
    """What a running session offers: its folder and the warnings logged so far."""

    run_dir: Path
    warnings: list = field(default_factory=list)


class _Collector(logging.Handler):
    def __init__(self, sink: list) -> None:
        super().__init__(level=logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(_LOGGER_PREFIXES):
            try:
                self.sink.append(f"{record.levelname}: {record.getMessage()}")
            except Exception:  # noqa: BLE001 - a bad log message must not end the run
                self.sink.append(f"{record.levelname}: {record.msg}")


@contextlib.contextmanager
def isolated_session(
    cfg: str, *, run_dir: str | os.PathLike | None = None, keep: bool = False, quiet: bool = True
) -> Iterator[Session]:
    """A folder with ``spynnaker.cfg`` = ``cfg`` in which sPyNNaker runs.

    Parameters
    ----------
    cfg : str
        Contents of ``spynnaker.cfg``.
    run_dir : path, optional
        Folder to use (created); default a new temporary folder.
    keep : bool
        Keep the folder (reports, logs) afterwards; temporary folders are removed otherwise.
    quiet : bool
        Send sPyNNaker's progress bars to ``spinnaker.log`` instead of the terminal.

    Notes
    -----
    Changes the process's working directory and ``HOME``, ``XDG_CONFIG_HOME``,
    ``XDG_CONFIG_DIRS`` for the duration (sPyNNaker offers no other way to be pointed at a
    cfg); they are restored on exit, also after an exception.
    """
    temporary = run_dir is None
    folder = Path(tempfile.mkdtemp(prefix="spikemem-spinnaker-")) if temporary else Path(run_dir).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "spynnaker.cfg").write_text(cfg, encoding="utf-8")
    home = folder / "home"
    home.mkdir(exist_ok=True)
    # sPyNNaker insists on a home cfg; an empty one here keeps it from writing the user's.
    (home / ".spynnaker.cfg").write_text("[Machine]\n", encoding="utf-8")
    names = ("HOME", "XDG_CONFIG_HOME", "XDG_CONFIG_DIRS")
    saved_env = {k: os.environ.get(k) for k in names}
    saved_cwd = os.getcwd()
    session = Session(run_dir=folder)
    handler = _Collector(session.warnings)
    root = logging.getLogger()
    handlers_before = list(root.handlers)
    root.addHandler(handler)
    log = open(folder / "spinnaker.log", "a", encoding="utf-8") if quiet else None  # noqa: SIM115
    try:
        os.environ["HOME"] = str(home)
        os.environ["XDG_CONFIG_HOME"] = str(home / ".config")
        os.environ["XDG_CONFIG_DIRS"] = str(home / ".xdg")
        os.chdir(folder)
        with contextlib.ExitStack() as stack:
            if log is not None:
                stack.enter_context(contextlib.redirect_stdout(log))
                stack.enter_context(contextlib.redirect_stderr(log))
            yield session
    finally:
        os.chdir(saved_cwd)
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        for added in [h for h in root.handlers if h not in handlers_before]:
            root.removeHandler(added)  # ours, and any sPyNNaker's basicConfig made inside
        if log is not None:
            log.close()
        if temporary and not keep:
            shutil.rmtree(folder, ignore_errors=True)
            _forget_removed_folder()
        sys.stdout.flush()


def _forget_removed_folder() -> None:
    """sPyNNaker's exit hooks write into the run folder (an ``errored`` flag, the log store);
    once spikemem has removed the folder they only fail, so unhook them. The warnings they
    would repeat are in the mapping report."""
    writer = sys.modules.get("spinn_utilities.data.utils_data_writer")
    if writer is not None:
        atexit.unregister(writer.UtilsDataWriter.write_errored_file)
    log = sys.modules.get("spinn_utilities.log")
    if log is not None:
        try:
            log.FormatAdapter.set_log_store(None)
            log.FormatAdapter._pop_not_stored_messages()
        except Exception:  # noqa: BLE001 - private API of another package; best effort
            pass
