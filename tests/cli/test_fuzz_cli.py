"""Fuzzing the command line (click's CliRunner, in process): hostile arguments and input files
for run, verify, estimate, export, import, reproduce and deploy end with status 0, 1 or 2 and at
most one error line — never a traceback (issue 15)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from fuzzing import OUTCOMES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spikemem.cli import main

from networks import static_network

pytestmark = pytest.mark.timeout(300)
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
ROOT = Path(__file__).resolve().parents[2]
FF = (ROOT / "examples" / "feedforward.toml").read_text()

VALUES = st.sampled_from(["", "0", "-1", "nan", "inf", "1e999", "abc", "5", "0.1", "10", "-0", "2**64", " "])


def _inputs(folder: Path) -> dict[str, str]:
    """Input files, good and hostile, in ``folder`` (the fuzzer picks among their paths)."""
    files = {
        "good.toml": FF.replace("duration = 1000.0", "duration = 20.0"),
        "empty.toml": "",
        "cut.toml": FF[: len(FF) // 2],
        "deep.toml": FF.replace("tau_m = 20.0", "tau_m = " + "[" * 5000 + "1" + "]" * 5000),
        "nan.toml": FF.replace("tau_m = 20.0", "tau_m = nan"),
        "tiny_tau.toml": FF.replace("tau_m = 20.0", "tau_m = 1e-6").replace(
            "duration = 1000.0", "duration = 5.0"
        ),
        "bad.json": "{not json",
        "bad.nir": "not hdf5",
    }
    for name, text in files.items():
        (folder / name).write_text(text)
    static_network().save(folder / "net.json")
    (folder / "adir").mkdir()
    return {name: str(folder / name) for name in [*files, "net.json", "adir", "absent.toml"]}


@st.composite
def command_lines(draw, paths: dict[str, str]) -> list[str]:
    path = st.one_of(st.just(paths["good.toml"]), st.sampled_from(sorted(paths.values())))
    command = draw(st.sampled_from(["run", "verify", "estimate", "export", "import", "reproduce", "deploy"]))
    args = [command]
    if command == "reproduce":
        args.append(draw(st.sampled_from(["", "nope", "../x", "ca3-nonexistent"])))
    else:
        args.append(draw(path))
    options = {
        "run": ["--duration", "--seed", "-b", "--threads", "-o"],
        "verify": ["--duration", "--seeds"],
        "estimate": ["--dt", "--rate", "--boards", "--time-scale-factor", "--json"],
        "export": ["--dt", "--seed", "--time-unit", "-o"],
        "import": ["--dt", "--run", "--time-unit", "-o"],
        "reproduce": ["--out"],
        "deploy": ["--neurons-per-core", "--time-scale-factor", "-o"],
    }[command]
    for option in draw(st.lists(st.sampled_from(options), max_size=3, unique=True)):
        args += [option, draw(st.one_of(VALUES, path, st.just("out/x")))]
    if command == "verify":
        args += ["-b", "numba", "--duration", "5", "--no-standalone"]  # the reference alone: fast
    if command == "run" and "--duration" not in args:
        args += ["--duration", "5"]
    if command == "deploy" and "-o" not in args:
        args += ["-o", "deploy_out"]
    return args


@pytest.fixture(scope="module")
def paths(tmp_path_factory) -> dict[str, str]:
    return _inputs(tmp_path_factory.mktemp("inputs"))


@FUZZ
@given(data=st.data())
def test_fuzz_command_lines(paths, tmp_path, data):
    args = data.draw(command_lines(paths))
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path):
        result = runner.invoke(main, args, catch_exceptions=True)
    target = f"CLI {args[0]}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        OUTCOMES[target, "other exception"] += 1
        raise AssertionError(f"{args}: {type(result.exception).__name__}: {result.exception}")
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output)
    assert "Traceback" not in result.output, (args, result.output)
    assert sum(line.startswith("Error:") for line in result.output.splitlines()) <= 1, result.output
    OUTCOMES[target, "ok" if result.exit_code == 0 else "clear error"] += 1


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("deep.toml", "nested too deeply"),
        ("nan.toml", "tau_m"),
        ("bad.json", "network file"),
        ("adir", "Error"),
    ],
)
def test_hostile_inputs_give_one_line_everywhere(paths, tmp_path, name, message):
    runner = CliRunner()
    for command in (["run"], ["verify", "-b", "numba"], ["estimate"], ["export", "-o", "x.nir"]):
        if name.endswith(".json") and command[0] != "export":
            continue
        with runner.isolated_filesystem(temp_dir=tmp_path):
            result = runner.invoke(main, [*command, paths[name]])
        assert result.exit_code in (1, 2), (command, result.output)
        assert message in result.output and "Traceback" not in result.output, (command, result.output)
        assert os.path.basename(paths[name]) in result.output or name == "adir"
