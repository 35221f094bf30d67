"""``docs``: regenerate (or ``--check``) the inputs/outputs tables of every module README."""

from __future__ import annotations

import argparse
from pathlib import Path

import scripts.docs.readme_tables as docs
from scripts.errors import UsageError
from scripts.terraform.tf import REPO_ROOT


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "docs",
        help="regenerate the terraform-docs tables in module READMEs",
        description=(
            "Render the Requirements/Providers/Modules/Resources/Inputs/Outputs tables between the "
            "BEGIN_TF_DOCS / END_TF_DOCS markers of every documented README. Exit 0 in sync (or "
            "updated), 1 with --check when a README is out of date, 2 a path that is not a documented "
            "module or a module the renderer cannot read."
        ),
    )
    parser.add_argument("--check", action="store_true", help="only report READMEs that are out of date (exit 1)")
    parser.add_argument("paths", nargs="*", type=Path, help="module directories (default: all documented ones)")
    parser.set_defaults(func=run)


def targets(paths: list[Path]) -> list[Path]:
    """The module directories to render; a path that cannot be one is a usage error."""
    if not paths:
        return docs.documented_dirs(REPO_ROOT)
    found = []
    for path in paths:
        target = path.resolve()
        readme = target / "README.md"
        if not target.is_dir():
            raise UsageError(f"{path} is not a directory")
        try:
            text = readme.read_text()
        except OSError as exc:
            raise UsageError(f"cannot read {readme}: {exc.strerror}") from exc
        if docs.BEGIN not in text or docs.END not in text:
            raise UsageError(f"{readme} has no {docs.BEGIN} / {docs.END} markers")
        found.append(target)
    return found


def _shown(path: Path) -> Path:
    return path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path


def run(args: argparse.Namespace) -> int:
    stale = []
    for target in targets(args.paths):
        try:
            in_sync = docs.sync(target, check=args.check)
        except (ValueError, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise UsageError(f"cannot render {_shown(target)}/README.md: {reason}") from exc
        if not in_sync:
            stale.append(target)
    for t in stale:
        verb = "out of date" if args.check else "updated"
        print(f"{verb}: {_shown(t)}/README.md")
    if args.check and stale:
        print("run `make docs` to regenerate")
        return 1
    return 0
