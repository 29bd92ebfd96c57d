"""Which SpiNNaker machine to use, the ``spynnaker.cfg`` written for it, and the checks of
``spikemem doctor``.

sPyNNaker reads its configuration from ``~/.spynnaker.cfg`` (and writes a template there if
it is missing) and from ``spynnaker.cfg`` in the working directory. spikemem never writes into
the user's home: every run gets its own folder holding a generated ``spynnaker.cfg``, and
sPyNNaker runs there with ``HOME`` pointing at an (almost empty) sub-folder. The machine comes,
in this order, from

1. the backend options: ``virtual=True`` (``version`` 3 or 5, default 5), ``board=HOST`` with
   ``version=3|5``, ``spalloc=URL`` (credentials from the URL or ``SPALLOC_USER`` /
   ``SPALLOC_PASSWORD``), or ``cfg=PATH`` (an existing sPyNNaker cfg file, copied);
2. the environment variable ``SPIKEMEM_SPINNAKER``: ``virtual``, ``virtual:3``,
   ``board:HOST:5`` or ``spalloc:URL``;
3. an existing ``~/.spynnaker.cfg`` that names a machine (read, never modified).

Errors name the key at fault and show a working snippet.
"""

from __future__ import annotations

import configparser
import os
import re
import socket
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...ir.errors import IRValidationError
from ..pynn.options import Check

__all__ = [
    "VERSIONS",
    "hardware_configured",
    "Check",
    "MachineConfig",
    "SpiNNakerConfigError",
    "cfg_text",
    "doctor_checks",
    "machine_config",
]

VERSIONS = {3: "SpiNN-3 (4 chips)", 5: "SpiNN-5 (48 chips)"}
"""Board versions spikemem configures, with their sizes."""

ENV_VAR = "SPIKEMEM_SPINNAKER"
MACHINE_KEYS = ("machine_name", "spalloc_server", "remote_spinnaker_url", "virtual_board")

SNIPPETS = {
    "virtual": 'spikemem.compile(net, backend="spinnaker", virtual=True, version=5)\n'
    "# or: export SPIKEMEM_SPINNAKER=virtual",
    "board": 'spikemem.compile(net, backend="spinnaker", board="192.168.240.1", version=5)\n'
    '# a SpiNN-3 board: board="192.168.240.253", version=3 (the factory addresses)\n'
    "# or: spikemem deploy CONFIG --board 192.168.240.1 --version 5",
    "spalloc": "export SPALLOC_USER=me SPALLOC_PASSWORD=...\n"
    'spikemem.compile(net, backend="spinnaker", spalloc="https://spinnaker.cs.man.ac.uk/spalloc/")',
    "cfg": "[Machine]\nmachine_name = 192.168.240.1\nversion = 5\n"
    "; a SpiNN-3 board: machine_name = 192.168.240.253, version = 3\n"
    "; or: spalloc_server = https://server/spalloc/  (SPALLOC_USER / SPALLOC_PASSWORD in the environment)\n"
    "; or: virtual_board = True\n;     version = 5",
}


class SpiNNakerConfigError(IRValidationError):
    """A missing or bad SpiNNaker machine configuration.

    Attributes
    ----------
    key : str
        The option or cfg key at fault (e.g. ``"version"``, ``"spalloc"``, ``"[Machine] machine_name"``).
    snippet : str
        A configuration that works.
    """

    def __init__(self, key: str, problem: str, snippet: str) -> None:
        super().__init__("SpiNNaker configuration", key, problem, snippet)
        self.key = key
        self.snippet = snippet
        self.args = (
            f"SpiNNaker configuration: {key}: {problem}\nA working configuration:\n"
            + "\n".join("    " + line for line in snippet.splitlines()),
        )

    def __str__(self) -> str:
        return self.args[0]


@dataclass(frozen=True)
class MachineConfig:
    """The machine a run uses.

    Attributes
    ----------
    kind : {"virtual", "board", "spalloc", "cfg"}
        How it is reached.
    version : int or None
        Board version (3 or 5); ``None`` for ``cfg`` (the file decides).
    host : str or None
        Board host name or IP (``board``).
    url : str or None
        spalloc server (``spalloc``); credentials are never stored here.
    cfg_path : str or None
        The user's cfg file (``cfg``), copied into the run folder.
    source : str
        Where the choice came from (``"options"``, ``"$SPIKEMEM_SPINNAKER"``, the cfg path).
    """

    kind: str
    version: int | None = None
    host: str | None = None
    url: str | None = None
    cfg_path: str | None = None
    source: str = "options"

    @property
    def virtual(self) -> bool:
        """True for a virtual board (mapping only, no spikes)."""
        if self.kind == "virtual":
            return True
        if self.kind == "cfg" and self.cfg_path:
            machine = _read_machine_section(Path(self.cfg_path))
            return str(machine.get("virtual_board", "false")).strip().lower() == "true"
        return False

    def describe(self) -> str:
        """One line for reports."""
        if self.kind == "virtual":
            return f"virtual {VERSIONS.get(self.version, self.version)}"
        if self.kind == "board":
            return f"board {self.host} ({VERSIONS.get(self.version, self.version)})"
        if self.kind == "spalloc":
            return f"spalloc {_redact(self.url or '')}"
        return f"cfg {self.cfg_path}"


def _check_version(version: Any, kind: str) -> int:
    if isinstance(version, bool) or version not in VERSIONS:
        raise SpiNNakerConfigError(
            "version",
            f"{version!r} is not a board version spikemem configures (3: SpiNN-3, 5: SpiNN-5)",
            SNIPPETS[kind],
        )
    return int(version)


def machine_config(
    *,
    virtual: bool = False,
    board: str | None = None,
    version: int | None = None,
    spalloc: str | None = None,
    cfg: str | os.PathLike | None = None,
    env: dict | None = None,
    home: str | os.PathLike | None = None,
) -> MachineConfig:
    """Choose the machine from the options, ``$SPIKEMEM_SPINNAKER`` or ``~/.spynnaker.cfg``.

    Parameters
    ----------
    virtual : bool
        Map on a virtual board (no spikes come back).
    board : str or None
        Host name or IP of a directly connected board (needs ``version``).
    version : int or None
        3 (SpiNN-3) or 5 (SpiNN-5); default 5 for a virtual board.
    spalloc : str or None
        URL of a spalloc server.
    cfg : path or None
        An sPyNNaker cfg file to use as is.
    env : dict, optional
        Environment (default ``os.environ``).
    home : path, optional
        Home folder to look for ``.spynnaker.cfg`` in (default ``~``).

    Raises
    ------
    SpiNNakerConfigError
        Naming the key at fault, with a working snippet.
    """
    env = os.environ if env is None else env
    chosen = [
        name
        for name, value in (("virtual", virtual), ("board", board), ("spalloc", spalloc), ("cfg", cfg))
        if value
    ]
    if len(chosen) > 1:
        raise SpiNNakerConfigError(
            "/".join(chosen), f"{' and '.join(chosen)} were both given; choose one machine", SNIPPETS["board"]
        )
    if chosen:
        return _from_options(
            chosen[0],
            virtual=virtual,
            board=board,
            version=version,
            spalloc=spalloc,
            cfg=cfg,
            env=env,
            source="options",
        )
    if version is not None:
        raise SpiNNakerConfigError(
            "version", "given without a machine (virtual, board or spalloc)", SNIPPETS["board"]
        )
    if env.get(ENV_VAR):
        return _from_env(env[ENV_VAR], env)
    user_cfg = Path(home if home is not None else Path.home()) / ".spynnaker.cfg"
    if user_cfg.is_file():
        machine = _read_machine_section(user_cfg)
        if any(_is_set(machine.get(k)) for k in MACHINE_KEYS):
            check_cfg_file(user_cfg)
            return MachineConfig(kind="cfg", cfg_path=str(user_cfg), source=str(user_cfg))
    raise SpiNNakerConfigError(
        "machine",
        f"no SpiNNaker machine configured (no option, no ${ENV_VAR}, no machine in {user_cfg})",
        SNIPPETS["virtual"] + "\n" + SNIPPETS["board"],
    )


def _from_options(
    kind: str, *, virtual: bool, board: Any, version: Any, spalloc: Any, cfg: Any, env: Any, source: str
) -> MachineConfig:
    if kind == "virtual":
        return MachineConfig(
            kind="virtual",
            version=_check_version(5 if version is None else version, "virtual"),
            source=source,
        )
    if kind == "board":
        if not isinstance(board, str) or not re.fullmatch(r"[A-Za-z0-9._:-]+", board.strip()):
            raise SpiNNakerConfigError(
                "board", f"{board!r} is not a host name or IP address", SNIPPETS["board"]
            )
        if version is None:
            raise SpiNNakerConfigError(
                "version",
                f"a board ({board}) needs its version: 3 (SpiNN-3) or 5 (SpiNN-5)",
                SNIPPETS["board"],
            )
        return MachineConfig(
            kind="board", host=board.strip(), version=_check_version(version, "board"), source=source
        )
    if kind == "spalloc":
        url = _check_spalloc(spalloc, env)
        if version is not None and version != 5:
            raise SpiNNakerConfigError(
                "version", "spalloc allocates SpiNN-5 boards (version 5)", SNIPPETS["spalloc"]
            )
        return MachineConfig(kind="spalloc", url=url, version=5, source=source)
    path = Path(os.fspath(cfg)).expanduser()
    check_cfg_file(path)
    return MachineConfig(kind="cfg", cfg_path=str(path), source=source)


def _env_options(kind: str, rest: str) -> dict[str, Any] | None:
    """The machine options of a ``$SPIKEMEM_SPINNAKER``-style value ``kind[:rest]``.

    Returns ``None`` for an unknown ``kind``; raises ``ValueError`` for a version that is not
    an integer.
    """
    if kind == "virtual":
        return {"virtual": True, "board": None, "version": int(rest) if rest else None, "spalloc": None}
    if kind == "board":
        host, _, version = rest.rpartition(":")
        number = int(version) if version else None
        return {"virtual": False, "board": host, "version": number, "spalloc": None}
    if kind == "spalloc":
        return {"virtual": False, "board": None, "version": None, "spalloc": rest}
    return None


def _from_env(value: str, env: Any) -> MachineConfig:
    parts = value.strip().split(":", 1)
    kind, rest = parts[0].lower(), (parts[1] if len(parts) > 1 else "")
    source = f"${ENV_VAR}"
    example = "virtual | virtual:3 | board:HOST:5 | spalloc:https://server/spalloc/"
    try:
        options = _env_options(kind, rest)
        if options is not None:
            return _from_options(kind, **options, cfg=None, env=env, source=source)
    except ValueError:
        pass
    raise SpiNNakerConfigError(
        ENV_VAR, f"{value!r} is not understood", f"export {ENV_VAR}=virtual\n# forms: {example}"
    )


def _check_spalloc(url: Any, env: Any) -> str:
    if not isinstance(url, str) or not url.strip():
        raise SpiNNakerConfigError("spalloc", f"{url!r} is not a spalloc server URL", SNIPPETS["spalloc"])
    url = url.strip()
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise SpiNNakerConfigError(
            "spalloc",
            f"{_redact(url)} is not an http(s) URL (spikemem uses the spalloc web service)",
            SNIPPETS["spalloc"],
        )
    if not parsed.username and not env.get("SPALLOC_USER"):
        raise SpiNNakerConfigError(
            "SPALLOC_USER",
            "no spalloc user: put it in the URL or the environment variable SPALLOC_USER",
            SNIPPETS["spalloc"],
        )
    if not parsed.password and not env.get("SPALLOC_PASSWORD"):
        raise SpiNNakerConfigError(
            "SPALLOC_PASSWORD",
            "no spalloc password: set the environment variable SPALLOC_PASSWORD (never write it into a file)",
            SNIPPETS["spalloc"],
        )
    return url


def _redact(url: str) -> str:
    parsed = urllib.parse.urlparse(url)
    if parsed.password:
        netloc = parsed.netloc.replace(f":{parsed.password}@", ":***@")
        return urllib.parse.urlunparse(parsed._replace(netloc=netloc))
    return url


def _normalise(key: str) -> str:
    """sPyNNaker ignores case and underscores in keys (``machineName`` = ``machine_name``)."""
    return key.replace("_", "").lower()


def _read_machine_section(path: Path) -> dict[str, str]:
    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error as error:
        raise SpiNNakerConfigError(f"{path}", f"cannot be parsed ({error})", SNIPPETS["cfg"]) from None
    if not parser.has_section("Machine"):
        return {}
    by_norm = {_normalise(k): k for k in MACHINE_KEYS + ("version",)}
    return {by_norm.get(_normalise(k), k): v for k, v in parser.items("Machine")}


def _is_set(value: Any) -> bool:
    return value is not None and str(value).strip().lower() not in ("", "none", "false")


def check_cfg_file(path: Path) -> dict[str, str]:
    """Check an sPyNNaker cfg file names exactly one machine (and its version where needed).

    Returns
    -------
    dict
        Its ``[Machine]`` section (keys normalised to sPyNNaker's underscore names).

    Raises
    ------
    SpiNNakerConfigError
    """
    path = Path(path)
    if not path.is_file():
        raise SpiNNakerConfigError("cfg", f"{path} does not exist", SNIPPETS["cfg"])
    machine = _read_machine_section(path)
    if not machine:
        raise SpiNNakerConfigError(f"{path} [Machine]", "section missing", SNIPPETS["cfg"])
    named = [k for k in MACHINE_KEYS if _is_set(machine.get(k))]
    if len(named) != 1:
        problem = "names no machine" if not named else "names more than one machine: " + ", ".join(named)
        raise SpiNNakerConfigError(f"{path} [Machine] machine_name", problem, SNIPPETS["cfg"])
    if named[0] in ("machine_name", "virtual_board"):
        version = str(machine.get("version", "")).strip()
        if not version.isdigit() or int(version) not in VERSIONS:
            raise SpiNNakerConfigError(
                f"{path} [Machine] version", f"{version or 'missing'} (3 or 5 needed)", SNIPPETS["cfg"]
            )
    return machine


def cfg_text(machine: MachineConfig, *, mode: str = "Info", env: dict | None = None) -> str:
    """The ``spynnaker.cfg`` written into a run folder for ``machine``.

    Every way of reaching a machine is set explicitly (the others to ``None``), so a setting in
    a user's home cfg cannot combine with it. Passwords are never written.
    """
    env = os.environ if env is None else env
    lines = ["# written by spikemem for this run; sPyNNaker reads it from the working directory", "[Machine]"]
    values = {
        "virtual_board": "False",
        "machine_name": "None",
        "spalloc_server": "None",
        "remote_spinnaker_url": "None",
    }
    if machine.kind == "cfg":
        text = Path(machine.cfg_path).read_text(encoding="utf-8")
        return (
            f"# copied by spikemem from {machine.cfg_path}\n{text}\n\n[Mode]\nmode = {mode}\n"
            "[Reports]\nwrite_network_graph = False\n"
        )
    if machine.kind == "virtual":
        values["virtual_board"] = "True"
    elif machine.kind == "board":
        values["machine_name"] = machine.host
    elif machine.kind == "spalloc":
        values["spalloc_server"] = machine.url
        if env.get("SPALLOC_USER") and not urllib.parse.urlparse(machine.url).username:
            values["spalloc_user"] = env["SPALLOC_USER"]
    values["version"] = str(machine.version)
    lines += [f"{k} = {v}" for k, v in values.items()]
    lines += [
        "",
        "[Mode]",
        f"mode = {mode}",
        "",
        "[Reports]",
        "write_network_graph = False",
        "max_reports_kept = 3",
        "",
    ]
    return "\n".join(lines)


def hardware_configured(env: dict | None = None, home: str | os.PathLike | None = None) -> bool:
    """Whether runs without machine options would reach real hardware (a board or spalloc via
    ``$SPIKEMEM_SPINNAKER`` or ``~/.spynnaker.cfg``), i.e. whether spikes come back.

    Test suites use it to leave the SpiNNaker backend out when only a virtual board exists.
    """
    try:
        machine = machine_config(env=env, home=home)
    except SpiNNakerConfigError:
        return False
    return not machine.virtual


# --------------------------------------------------------------------------- doctor


def doctor_checks(
    *,
    virtual: bool = False,
    board: str | None = None,
    version: int | None = None,
    spalloc: str | None = None,
    cfg: str | None = None,
    network: bool = True,
    timeout_s: float = 3.0,
) -> list[Check]:
    """The SpiNNaker checks of ``spikemem doctor``; no network is run.

    Checks that sPyNNaker and PyNN import with the pinned versions, that the model binaries
    are present, that the machine configuration resolves (same rules as the backend), and,
    with ``network=True``, that a board's host name resolves or a spalloc server answers.
    """
    checks: list[Check] = []
    checks += _package_checks()
    try:
        machine = machine_config(virtual=virtual, board=board, version=version, spalloc=spalloc, cfg=cfg)
        checks.append(Check("machine", True, f"{machine.describe()} (from {machine.source})"))
    except SpiNNakerConfigError as error:
        explicit = bool(virtual or board or spalloc or cfg or version)
        checks.append(
            Check(
                "machine",
                not explicit or False,
                f"{error.key}: {error.value}",
                fix=error.snippet,
                warning=not explicit,
            )
        )
        return checks
    home_cfg = Path.home() / ".spynnaker.cfg"
    if home_cfg.is_file() and machine.source != str(home_cfg):
        checks.append(
            Check(
                "home cfg",
                True,
                f"{home_cfg} exists; spikemem runs ignore it (each run has its own cfg)",
                warning=True,
            )
        )
    if network and machine.kind == "board":
        checks.append(_resolve_host(machine.host or "", timeout_s))
    if network and machine.kind == "spalloc":
        checks.append(_reach_url(machine.url or "", timeout_s))
    return checks


def _package_checks() -> list[Check]:
    from importlib import metadata

    checks = []
    for dist, pin in (("spynnaker", "1!7.4.1"), ("pyNN", "0.13.0")):
        try:
            have = metadata.version(dist)
        except metadata.PackageNotFoundError:
            checks.append(Check(dist, False, "not installed", fix="pip install 'spikemem[spinnaker]'"))
            continue
        ok = have == pin
        checks.append(
            Check(dist, True, f"{have}" + ("" if ok else f" (spikemem is tested with {pin})"), warning=not ok)
        )
    try:
        from importlib.util import find_spec

        spec = find_spec("spynnaker")
        if spec is not None and spec.submodule_search_locations:
            binaries = Path(list(spec.submodule_search_locations)[0]) / "pyNN" / "model_binaries"
            n = len(list(binaries.glob("*.aplx")))
            needed = [
                b
                for b in (
                    "IF_curr_exp.aplx",
                    "IF_curr_exp_stdp_mad_pair_additive.aplx",
                    "delay_extension.aplx",
                )
                if not (binaries / b).is_file()
            ]
            checks.append(
                Check(
                    "binaries",
                    not needed,
                    f"{n} .aplx files in {binaries}" + (f"; missing {', '.join(needed)}" if needed else ""),
                    fix="reinstall spynnaker==1!7.4.1 (its wheel ships the binaries)",
                )
            )
    except Exception as error:  # noqa: BLE001 - a broken installation is what doctor reports
        checks.append(Check("binaries", False, f"cannot inspect sPyNNaker: {error!r}"))
    return checks


def _resolve_host(host: str, timeout_s: float) -> Check:
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout_s)
    try:
        address = socket.gethostbyname(host)
        return Check(
            "board host",
            True,
            f"{host} resolves to {address} (SpiNNaker boards answer SCP on UDP 17893; "
            "see hw/spinnaker/RUNBOOK.md to check the link)",
        )
    except OSError as error:
        return Check(
            "board host",
            False,
            f"{host} does not resolve ({error})",
            fix="check the board's IP (factory default 192.168.240.1 on a SpiNN-5, .253 on a SpiNN-3) "
            "and the host's network; hw/spinnaker/RUNBOOK.md",
        )
    finally:
        socket.setdefaulttimeout(previous)


def _reach_url(url: str, timeout_s: float) -> Check:
    import urllib.request

    parsed = urllib.parse.urlparse(url)
    bare = urllib.parse.urlunparse(
        parsed._replace(netloc=parsed.hostname + (f":{parsed.port}" if parsed.port else ""))
    )
    try:
        with urllib.request.urlopen(bare, timeout=timeout_s) as response:  # noqa: S310 - user-given http(s) URL
            return Check("spalloc server", True, f"{bare} answered HTTP {response.status}")
    except Exception as error:  # noqa: BLE001 - any failure is reported
        return Check(
            "spalloc server",
            False,
            f"{bare} did not answer ({error})",
            fix="check the URL, your network/VPN and proxy settings; hw/spinnaker/RUNBOOK.md",
        )
