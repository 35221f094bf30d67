"""Files the repository shares by a relative symbolic link (ADRs 0022 and 0023), checked one way."""

from __future__ import annotations

from pathlib import Path

from scripts.terraform.tf import REPO_ROOT


def link_problem(link: Path, target: Path) -> str | None:
    """Why ``link`` is not a relative symlink resolving to ``target``; None when it is.

    Relative, so that it resolves in any checkout and in copies of the tree that keep links."""
    rel, want = link.relative_to(REPO_ROOT), target.relative_to(REPO_ROOT)
    if not link.is_symlink():
        return f"{rel} must be a link to {want}"
    if link.readlink().is_absolute():
        return f"{rel} -> {link.readlink()} must be relative"
    if link.resolve() != target.resolve():
        return f"{rel} -> {link.readlink()} does not resolve to {want}"
    return None
