"""pre-commit: the config lists the hooks a Terraform team expects, remote hooks are frozen to commit
SHAs, and what can run offline runs here directly (hook repositories cannot be cloned on this
machine): ruff, the README generator, zizmor, and the whitespace/end-of-file checks over every file
git would commit. terraform fmt is not run here: `make lint` and `python -m scripts validate` run it."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scripts.terraform.tf import REPO_ROOT

CONFIG = REPO_ROOT / ".pre-commit-config.yaml"
EXPECTED_HOOKS = {
    "terraform_fmt",
    "terraform_validate",
    "terraform_tflint",
    "terraform_docs",
    "checkov",
    "zizmor",
    "ruff",
    "ruff-format",
    "actionlint",
    "end-of-file-fixer",
    "trailing-whitespace",
}
FROZEN = re.compile(r"^\s*rev:\s*(?P<sha>\S+)\s*#\s*frozen:\s*v\d+\.\d+\.\d+\s*$")


@pytest.fixture(scope="module")
def config() -> dict:
    return yaml.safe_load(CONFIG.read_text())


def hooks(config: dict) -> dict[str, dict]:
    return {hook["id"]: {**hook, "repo": repo["repo"]} for repo in config["repos"] for hook in repo["hooks"]}


def local_entry(config: dict, hook_id: str) -> list[str]:
    hook = hooks(config)[hook_id]
    assert hook["repo"] == "local" and hook["language"] == "system", hook_id
    argv = shlex.split(hook["entry"])
    # language: system resolves the tool on PATH; here, the project's virtualenv is that PATH.
    beside = Path(sys.executable).with_name(argv[0])
    if argv[0] == "python":
        argv[0] = sys.executable
    elif beside.exists():
        argv[0] = str(beside)
    return argv


def committed_files() -> list[Path]:
    """What git would commit (tracked or not ignored), without the hooks' global excludes."""
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [REPO_ROOT / p for p in out.split("\0") if p and (REPO_ROOT / p).is_file()]


def text_files() -> list[Path]:
    files = []
    for path in committed_files():
        data = path.read_bytes()
        if b"\0" not in data[:8192]:
            files.append(path)
    return files


def test_config_has_the_hooks_a_terraform_team_expects(config):
    assert set(hooks(config)) >= EXPECTED_HOOKS, EXPECTED_HOOKS - set(hooks(config))


def test_remote_hook_repositories_are_frozen_to_commit_shas(config):
    lines = CONFIG.read_text().splitlines()
    revs = [line for line in lines if line.strip().startswith("rev:")]
    remote = [repo for repo in config["repos"] if repo["repo"] != "local"]
    assert len(revs) == len(remote) > 0
    for line in revs:
        match = FROZEN.match(line)
        assert match and re.fullmatch(r"[0-9a-f]{40}", match.group("sha")), f"not frozen to a SHA: {line.strip()}"


def test_local_hooks_use_the_tools_pinned_in_requirements_lock(config):
    lock = (REPO_ROOT / "requirements.lock").read_text()
    for hook_id, package in (("ruff", "ruff"), ("ruff-format", "ruff"), ("checkov", "checkov"), ("zizmor", "zizmor")):
        assert hooks(config)[hook_id]["repo"] == "local", hook_id
        assert re.search(rf"^{package}==\d", lock, re.MULTILINE), f"{package} is not pinned in requirements.lock"


def test_tflint_config_enables_the_pinned_aws_ruleset():
    text = (REPO_ROOT / ".tflint.hcl").read_text()
    block = re.search(r'plugin "aws" \{(?P<body>.*?)\n\}', text, re.DOTALL)
    assert block, "no aws plugin block in .tflint.hcl"
    body = block.group("body")
    assert re.search(r"enabled\s*=\s*true", body)
    assert re.search(r'version\s*=\s*"\d+\.\d+\.\d+"', body), "pin the ruleset version"
    assert 'source  = "github.com/terraform-linters/tflint-ruleset-aws"' in body


def test_terraform_docs_config_injects_a_markdown_table_between_the_markers():
    cfg = yaml.safe_load((REPO_ROOT / ".terraform-docs.yml").read_text())
    assert cfg["formatter"] == "markdown table"
    assert cfg["output"]["mode"] == "inject" and cfg["output"]["file"] == "README.md"
    assert cfg["output"]["template"].splitlines() == [
        "<!-- BEGIN_TF_DOCS -->",
        "{{ .Content }}",
        "<!-- END_TF_DOCS -->",
    ]
    # The offline generator sorts required inputs first and shows constraints, not lock-file versions.
    assert cfg["sort"]["by"] == "required" and cfg["settings"]["lockfile"] is False


@pytest.mark.parametrize("hook_id", ["ruff", "ruff-format"])
def test_ruff_hooks(config, hook_id):
    python = [str(p.relative_to(REPO_ROOT)) for p in committed_files() if p.suffix in {".py", ".pyi"}]
    assert python
    proc = subprocess.run(
        [*local_entry(config, hook_id), *python], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-1000:]


@pytest.mark.parametrize("hook_id", ["zizmor", "terraform-docs-offline"])
def test_offline_local_hooks(config, hook_id):
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin", "HOME": str(Path.home())}
    proc = subprocess.run(
        local_entry(config, hook_id), cwd=REPO_ROOT, capture_output=True, text=True, env=env, timeout=300, check=False
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-1000:]


def test_no_trailing_whitespace():
    offenders = []
    for path in text_files():
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if line != line.rstrip():
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{number}")
    assert not offenders, offenders[:50]


def test_every_file_ends_with_exactly_one_newline():
    offenders = []
    for path in text_files():
        data = path.read_bytes()
        if data and (not data.endswith(b"\n") or data.endswith(b"\n\n")):
            offenders.append(str(path.relative_to(REPO_ROOT)))
    assert not offenders, offenders
