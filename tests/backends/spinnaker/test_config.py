"""Choosing the SpiNNaker machine, the generated cfg, and the errors for bad configurations."""

from __future__ import annotations

import os

import pytest

from spikemem.backends.spinnaker.config import (
    ENV_VAR,
    SpiNNakerConfigError,
    cfg_text,
    check_cfg_file,
    doctor_checks,
    hardware_configured,
    machine_config,
)
from spikemem.ir import IRValidationError


@pytest.fixture(autouse=True)
def clean_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    for name in (ENV_VAR, "SPALLOC_USER", "SPALLOC_PASSWORD"):
        monkeypatch.delenv(name, raising=False)


def test_virtual_defaults_to_a_spinn5():
    machine = machine_config(virtual=True)
    assert (machine.kind, machine.version, machine.virtual) == ("virtual", 5, True)
    assert machine_config(virtual=True, version=3).describe() == "virtual SpiNN-3 (4 chips)"


def test_board_needs_its_version_and_the_error_shows_a_snippet():
    with pytest.raises(SpiNNakerConfigError) as info:
        machine_config(board="192.168.240.253")
    assert info.value.key == "version"
    # the factory addresses: a SpiNN-5 answers on .1, a SpiNN-3 on .253
    assert 'board="192.168.240.1", version=5' in str(info.value)
    assert 'board="192.168.240.253", version=3' in str(info.value)
    assert isinstance(info.value, IRValidationError)
    machine = machine_config(board="192.168.240.253", version=3)
    assert (machine.kind, machine.host, machine.version, machine.virtual) == (
        "board",
        "192.168.240.253",
        3,
        False,
    )


@pytest.mark.parametrize(
    "kwargs, key",
    [
        ({"virtual": True, "version": 4}, "version"),
        ({"board": "bad host name!", "version": 5}, "board"),
        ({"virtual": True, "board": "h", "version": 5}, "virtual/board"),
        ({"version": 5}, "version"),
        ({"spalloc": "ftp://server"}, "spalloc"),
        ({"cfg": "/does/not/exist.cfg"}, "cfg"),
    ],
)
def test_bad_options_name_the_key(kwargs, key):
    with pytest.raises(SpiNNakerConfigError) as info:
        machine_config(**kwargs)
    assert info.value.key == key
    assert "A working configuration:" in str(info.value)


def test_spalloc_needs_credentials_from_the_url_or_the_environment(monkeypatch):
    url = "https://spinnaker.example.org/spalloc/"
    with pytest.raises(SpiNNakerConfigError) as info:
        machine_config(spalloc=url)
    assert info.value.key == "SPALLOC_USER"
    monkeypatch.setenv("SPALLOC_USER", "alice")
    with pytest.raises(SpiNNakerConfigError) as info:
        machine_config(spalloc=url)
    assert info.value.key == "SPALLOC_PASSWORD"
    monkeypatch.setenv("SPALLOC_PASSWORD", "secret")
    machine = machine_config(spalloc=url)
    text = cfg_text(machine)
    assert f"spalloc_server = {url}" in text and "spalloc_user = alice" in text and "secret" not in text
    with_password = machine_config(spalloc="https://bob:pw@spinnaker.example.org/spalloc/")
    assert "pw" not in with_password.describe()


def test_no_machine_anywhere_is_an_error_with_snippets():
    with pytest.raises(SpiNNakerConfigError) as info:
        machine_config()
    assert info.value.key == "machine"
    assert "virtual=True" in str(info.value) and f"export {ENV_VAR}=virtual" in str(info.value)


@pytest.mark.parametrize(
    "value, kind, version",
    [
        ("virtual", "virtual", 5),
        ("virtual:3", "virtual", 3),
        ("board:10.0.0.2:5", "board", 5),
    ],
)
def test_environment_variable(monkeypatch, value, kind, version):
    monkeypatch.setenv(ENV_VAR, value)
    machine = machine_config()
    assert (machine.kind, machine.version, machine.source) == (kind, version, f"${ENV_VAR}")


def test_bad_environment_variable(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "boards:x")
    with pytest.raises(SpiNNakerConfigError) as info:
        machine_config()
    assert info.value.key == ENV_VAR


def test_home_cfg_is_used_read_only_and_checked(tmp_path):
    home = tmp_path / "home"
    user_cfg = home / ".spynnaker.cfg"
    user_cfg.write_text("[Machine]\nmachineName = 192.168.240.1\nversion = 5\n")
    before = user_cfg.read_text()
    machine = machine_config()
    assert machine.kind == "cfg" and machine.cfg_path == str(user_cfg) and not machine.virtual
    assert "machineName = 192.168.240.1" in cfg_text(machine)
    assert user_cfg.read_text() == before
    assert hardware_configured()
    user_cfg.write_text("[Machine]\nmachine_name = 192.168.240.1\n")
    with pytest.raises(SpiNNakerConfigError, match="version"):
        machine_config()


def test_cfg_file_must_name_exactly_one_machine(tmp_path):
    path = tmp_path / "two.cfg"
    path.write_text("[Machine]\nvirtual_board = True\nversion = 5\nspalloc_server = https://x/\n")
    with pytest.raises(SpiNNakerConfigError, match="more than one machine"):
        check_cfg_file(path)
    path.write_text("[Machine]\nvirtual_board = True\nversion = 5\n")
    assert check_cfg_file(path)["virtual_board"] == "True"
    assert machine_config(cfg=path).virtual


def test_generated_cfg_sets_every_machine_key():
    text = cfg_text(machine_config(board="10.1.2.3", version=5), mode="Production")
    for line in (
        "virtual_board = False",
        "machine_name = 10.1.2.3",
        "spalloc_server = None",
        "remote_spinnaker_url = None",
        "version = 5",
        "mode = Production",
    ):
        assert line in text
    assert "virtual_board = True" in cfg_text(machine_config(virtual=True))


def test_hardware_configured_only_for_real_machines(monkeypatch):
    assert not hardware_configured()
    monkeypatch.setenv(ENV_VAR, "virtual")
    assert not hardware_configured()
    monkeypatch.setenv(ENV_VAR, "board:10.0.0.2:3")
    assert hardware_configured()


def test_doctor_reports_without_network_access():
    checks = {c.name: c for c in doctor_checks(virtual=True, network=False)}
    assert checks["machine"].ok
    bad = {c.name: c for c in doctor_checks(board="10.0.0.9", network=False)}
    assert not bad["machine"].ok and "version" in bad["machine"].message
    unset = {c.name: c for c in doctor_checks(network=False)}
    assert unset["machine"].ok and unset["machine"].warning  # nothing configured: a warning, not a failure
    assert not os.listdir(os.environ["HOME"])
