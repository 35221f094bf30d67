"""The override that points the provider at the emulator without touching committed files."""

from __future__ import annotations

import pytest

from scripts.emulator.override import (
    OVERRIDE_NAME,
    SERVICES,
    provider_aliases,
    render_override,
    write_override,
)

URL = "http://127.0.0.1:4566"


def test_override_sets_every_endpoint_and_fails_fast():
    text = render_override(URL, [None])
    for svc in SERVICES:
        assert f'{svc:<24} = "{URL}"' in text
    assert "max_retries                 = 2" in text
    assert "skip_credentials_validation = true" in text
    assert "s3_use_path_style           = true" in text
    # Skipping the account id lookup makes SG rules diff forever against moto.
    assert "skip_requesting_account_id" not in text


def test_aliased_providers_each_get_an_override(tmp_path):
    (tmp_path / "providers.tf").write_text(
        'provider "aws" {\n  region = "eu-west-1"\n}\n\n'
        'provider "aws" {\n  alias  = "use1"\n  region = "us-east-1"\n}\n'
    )
    assert provider_aliases(tmp_path) == [None, "use1"]
    path = write_override(tmp_path, URL, "eu-west-1")
    assert path.name == OVERRIDE_NAME
    text = path.read_text()
    assert text.count('provider "aws" {') == 2
    assert 'alias                       = "use1"' in text
    # Committed files are untouched.
    assert "endpoints" not in (tmp_path / "providers.tf").read_text()


def test_root_without_provider_block_gets_a_plain_provider(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "x" {\n  bucket = "x"\n}\n')
    path = write_override(tmp_path, URL, "eu-west-1", local_backend=True)
    assert path.name == "emulator_provider.tf"
    assert 'region                      = "eu-west-1"' in path.read_text()
    assert 'backend "local"' in (tmp_path / "emulator_backend_override.tf").read_text()


def test_localstack_endpoint_goes_through_the_same_switch():
    text = render_override("http://localhost:4566", [None])
    assert 's3                       = "http://localhost:4566"' in text


def test_rejects_non_http_endpoint():
    with pytest.raises(ValueError, match="is not an http"):
        render_override("localhost:4566", [None])
