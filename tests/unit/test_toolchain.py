"""The toolchain switch: mirror when the registry is unreachable, plain registry otherwise."""

from __future__ import annotations

import pytest

from scripts.terraform import toolchain as tcmod


def test_mirror_config_installs_hashicorp_from_the_mirror_only(tmp_path):
    text = tcmod.render_cli_config("mirror", tmp_path / "mirror", tmp_path / "cache")
    assert f'path    = "{tmp_path / "mirror"}"' in text
    assert 'exclude = ["registry.terraform.io/hashicorp/*"]' in text
    # No shared cache in front of an unpacked mirror: concurrent inits would re-link its entries.
    assert "plugin_cache_dir" not in text
    assert "disable_checkpoint = true" in text


def test_registry_config_has_no_installation_override(tmp_path):
    text = tcmod.render_cli_config("registry", None, tmp_path / "cache")
    assert "provider_installation" not in text
    assert "plugin_cache_dir" in text


def test_unreachable_registry_and_empty_mirror_fail_with_one_line(monkeypatch, tmp_path):
    monkeypatch.setattr(tcmod, "registry_reachable", lambda timeout=2.0: False)
    monkeypatch.setenv(tcmod.MIRROR_ENV, str(tmp_path))
    monkeypatch.delenv(tcmod.SOURCE_ENV, raising=False)
    with pytest.raises(tcmod.ToolchainError) as err:
        tcmod.choose_provider_source()
    message = str(err.value)
    assert "\n" not in message
    assert "registry.terraform.io is unreachable" in message
    assert tcmod.MIRROR_ENV in message


def test_reachable_registry_uses_plain_init(monkeypatch, tmp_path):
    monkeypatch.setattr(tcmod, "registry_reachable", lambda timeout=2.0: True)
    monkeypatch.setenv(tcmod.MIRROR_ENV, str(tmp_path))
    monkeypatch.delenv(tcmod.SOURCE_ENV, raising=False)
    assert tcmod.choose_provider_source() == ("registry", None)


def test_forced_mirror_and_bad_source_value(monkeypatch, tmp_path):
    monkeypatch.setenv(tcmod.SOURCE_ENV, "floppy")
    with pytest.raises(tcmod.ToolchainError, match="is not one of auto, mirror, registry"):
        tcmod.choose_provider_source()
    provider = tmp_path / "registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64"
    provider.mkdir(parents=True)
    (provider / "terraform-provider-aws_v5.100.0_x5").write_text("")
    monkeypatch.setenv(tcmod.SOURCE_ENV, "mirror")
    monkeypatch.setenv(tcmod.MIRROR_ENV, str(tmp_path))
    assert tcmod.choose_provider_source() == ("mirror", tmp_path)


def test_missing_terraform_says_how_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setenv(tcmod.BINARY_ENV, str(tmp_path / "nope"))
    with pytest.raises(tcmod.ToolchainError, match=r"terraform not found: install Terraform >= 1\.10"):
        tcmod.find_terraform()


def test_real_toolchain_resolves_on_this_machine():
    tc = tcmod.toolchain()
    assert tc.version.split(".")[0] == "1"
    assert tc.cli_config.exists()
    env = tc.env()
    assert env["TF_CLI_CONFIG_FILE"] == str(tc.cli_config)
    assert "TF_LOG" not in env


def test_unwritable_cache_dir_is_a_toolchain_error(monkeypatch):
    monkeypatch.setenv(tcmod.CACHE_ENV, "/proc/imgclass-cache")
    with pytest.raises(tcmod.ToolchainError, match=r"cache directory /proc/imgclass-cache cannot be created: .*"):
        tcmod.cache_dir()


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("echo 'not json'", r"is not Terraform: `version -json` printed no terraform_version"),
        ("echo boom >&2; exit 3", r"does not run: boom"),
        ('echo \'{"terraform_version": "1.5.7"}\'', r"terraform 1\.5\.7 at .* is too old"),
    ],
)
def test_a_binary_that_is_not_a_usable_terraform(monkeypatch, tmp_path, script, message):
    binary = tmp_path / "terraform"
    binary.write_text(f"#!/bin/sh\n{script}\n")
    binary.chmod(0o755)
    monkeypatch.setenv(tcmod.BINARY_ENV, str(binary))
    with pytest.raises(tcmod.ToolchainError, match=message):
        tcmod.find_terraform()


def test_terraform_processes_run_the_go_collector_at_a_memory_limit(monkeypatch, tmp_path):
    tc = tcmod.Toolchain("terraform", "1.11.4", "mirror", None, tmp_path / "rc", tmp_path / "cache")
    monkeypatch.delenv("GOGC", raising=False)
    monkeypatch.delenv("GOMEMLIMIT", raising=False)
    env = tc.env()
    assert (env["GOGC"], env["GOMEMLIMIT"]) == ("off", "768MiB")
    # Someone tuning the runtime for their machine keeps their values.
    monkeypatch.setenv("GOGC", "200")
    monkeypatch.setenv("GOMEMLIMIT", "2GiB")
    env = tc.env()
    assert (env["GOGC"], env["GOMEMLIMIT"]) == ("200", "2GiB")
