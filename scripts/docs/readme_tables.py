"""Module documentation in terraform-docs' markdown-table format, kept in sync by a test.

terraform-docs is not installable offline, so this renders the same sections (Requirements,
Providers, Modules, Resources, Inputs, Outputs) from the module source between the
``<!-- BEGIN_TF_DOCS -->`` / ``<!-- END_TF_DOCS -->`` markers. Online, the terraform-docs
pre-commit hook uses .terraform-docs.yml with the same markers and format.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import hcl2

from scripts.errors import UsageError
from scripts.terraform.tf import REPO_ROOT, aws_constraint

BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"
_BLOCK_RE = re.compile(r'^(variable|output|resource|data|module)\s+"([^"]+)"(?:\s+"([^"]+)")?\s*\{', re.MULTILINE)


@dataclass(frozen=True)
class Variable:
    name: str
    description: str
    type: str
    default: str | None  # raw HCL; None means required
    sensitive: bool = False


@dataclass(frozen=True)
class Output:
    name: str
    description: str
    sensitive: bool = False


_HEREDOC_RE = re.compile(r"<<-?([A-Z_]+)\n")


def _literal_end(text: str, i: int) -> int | None:
    """Index just past the quoted string, comment or heredoc that starts at ``i``; None when none does.

    A line comment ends before its newline, which is syntax again (it ends an attribute)."""
    if text[i] == '"':
        i += 1
        while i < len(text) and text[i] != '"':
            i += 2 if text[i] == "\\" else 1
        return i + 1
    if text[i] == "#" or text.startswith("//", i):
        newline = text.find("\n", i)
        return len(text) if newline < 0 else newline
    if text.startswith("/*", i):
        close = text.find("*/", i)
        return len(text) if close < 0 else close + 2
    heredoc = _HEREDOC_RE.match(text, i)
    if heredoc:
        end = re.compile(rf"^\s*{heredoc.group(1)}\s*$", re.MULTILINE).search(text, heredoc.end())
        return end.end() if end else len(text)
    return None


def _syntax(text: str, start: int) -> Iterator[tuple[int, str, int]]:
    """Index, character and bracket depth (counting that character) of each character from ``start``
    on that is outside quoted strings, comments and heredocs."""
    depth, i = 0, start
    while i < len(text):
        skip_to = _literal_end(text, i)
        if skip_to is not None:
            i = skip_to
            continue
        c = text[i]
        depth += (c in "{[(") - (c in "}])")
        yield i, c, depth
        i += 1


def _block_end(text: str, start: int) -> int:
    """Index just past the ``}`` closing the block whose ``{`` is at ``start``."""
    for i, c, depth in _syntax(text, start):
        if depth == 0 and c in "}])":
            return i + 1
    raise ValueError("unbalanced braces")


def _attribute(body: str, name: str) -> str | None:
    """Raw text of a top-level ``name = ...`` attribute inside a block body."""
    assignment = re.compile(rf"\s*{name}\s*=\s*")
    top_level_lines = [0] + [i + 1 for i, c, depth in _syntax(body, 0) if c == "\n" and depth == 0]
    for line in top_level_lines:
        m = assignment.match(body, line)
        if m:
            end = next((i for i, c, depth in _syntax(body, m.end()) if c == "\n" and depth == 0), len(body))
            return body[m.end() : end].strip()
    return None


def _blocks(text: str, kind: str) -> list[tuple[str, str | None, str]]:
    found = []
    for m in _BLOCK_RE.finditer(text):
        if m.group(1) != kind:
            continue
        end = _block_end(text, m.end() - 1)
        found.append((m.group(2), m.group(3), text[m.end() : end - 1]))
    return found


def _dedent_type(raw: str, indent: int = 2) -> str:
    """Continuation lines lose the attribute's own indentation, as terraform-docs prints them."""
    first, *rest = raw.splitlines() or [""]
    return "\n".join([first, *(ln[indent:] if ln[:indent].isspace() else ln.lstrip() for ln in rest)])


def _unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\n", "\n")


def parse_module(
    module_dir: Path,
) -> tuple[list[Variable], list[Output], list[str], list[str], list[tuple[str, str]]]:
    variables: list[Variable] = []
    outputs: list[Output] = []
    resources: list[str] = []
    data_sources: list[str] = []
    modules: list[tuple[str, str]] = []
    for tf in sorted(module_dir.glob("*.tf")):
        text = tf.read_text()
        parsed = hcl2.loads(text)
        descriptions = {
            name: _unescape((body.get("description") or [""])[0])
            for entry in parsed.get("variable", []) + parsed.get("output", [])
            for name, body in entry.items()
        }
        sensitive = {
            name: bool((body.get("sensitive") or [False])[0])
            for entry in parsed.get("variable", []) + parsed.get("output", [])
            for name, body in entry.items()
        }
        for name, _, body in _blocks(text, "variable"):
            vtype = _attribute(body, "type") or "any"
            variables.append(
                Variable(
                    name,
                    descriptions.get(name, ""),
                    _dedent_type(vtype),
                    _attribute(body, "default"),
                    sensitive[name],
                )
            )
        for name, _, _ in _blocks(text, "output"):
            outputs.append(Output(name, descriptions.get(name, ""), sensitive[name]))
        resources += [f"{t}.{n}" for t, n, _ in _blocks(text, "resource")]
        data_sources += [f"{t}.{n}" for t, n, _ in _blocks(text, "data")]
        for name, _, body in _blocks(text, "module"):
            modules.append((name, (_attribute(body, "source") or "").strip('"')))
    return (
        sorted(variables, key=lambda v: (v.default is not None, v.name)),
        sorted(outputs, key=lambda o: o.name),
        sorted(resources),
        sorted(data_sources),
        sorted(modules),
    )


def _esc(name: str) -> str:
    """Names as terraform-docs renders them with `escape: false` (.terraform-docs.yml): unescaped."""
    return name


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br/>")


def _code(raw: str) -> str:
    if "\n" in raw:
        return "<pre>" + raw.replace("\n", "<br/>").replace("|", "\\|") + "</pre>"
    return f"`{raw}`".replace("|", "\\|")


def _resource_link(address: str, data: bool) -> str:
    rtype, _ = address.split(".", 1)
    kind = "data source" if data else "resource"
    page = "data-sources" if data else "resources"
    short = rtype.removeprefix("aws_")
    return f"| [{address}](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/{page}/{short}) | {kind} |"


def render(module_dir: Path) -> str:
    variables, outputs, resources, data_sources, modules = parse_module(module_dir)
    versions = (module_dir / "versions.tf").read_text() if (module_dir / "versions.tf").exists() else ""
    tf_req = re.search(r'required_version\s*=\s*"([^"]+)"', versions)
    aws_req = aws_constraint(versions)
    lines = ["## Requirements", "", "| Name | Version |", "|------|---------|"]
    if tf_req:
        lines.append(
            f'| <a name="requirement_terraform"></a> [terraform](#requirement\\_terraform) | {tf_req.group(1)} |'
        )
    if aws_req:
        lines.append(f'| <a name="requirement_aws"></a> [aws](#requirement\\_aws) | {aws_req} |')
    lines += ["", "## Providers", ""]
    if aws_req and (resources or data_sources):
        lines += [
            "| Name | Version |",
            "|------|---------|",
            f'| <a name="provider_aws"></a> [aws](#provider\\_aws) | {aws_req} |',
        ]
    else:
        lines.append("No providers.")
    lines += ["", "## Modules", ""]
    if modules:
        lines += ["| Name | Source | Version |", "|------|--------|---------|"]
        lines += [f'| <a name="module_{n}"></a> [{_esc(n)}](#module\\_{_esc(n)}) | {s} | n/a |' for n, s in modules]
    else:
        lines.append("No modules.")
    lines += ["", "## Resources", ""]
    if resources or data_sources:
        lines += ["| Name | Type |", "|------|------|"]
        lines += [_resource_link(r, False) for r in resources]
        lines += [_resource_link(d, True) for d in data_sources]
    else:
        lines.append("No resources.")
    lines += ["", "## Inputs", ""]
    if variables:
        lines += [
            "| Name | Description | Type | Default | Required |",
            "|------|-------------|------|---------|:--------:|",
        ]
        for v in variables:
            default = "n/a" if v.default is None else _code(v.default)
            lines.append(
                f'| <a name="input_{v.name}"></a> [{_esc(v.name)}](#input\\_{_esc(v.name)}) | {_cell(v.description)} '
                f"| {_code(v.type)} | {default} | {'yes' if v.default is None else 'no'} |"
            )
    else:
        lines.append("No inputs.")
    lines += ["", "## Outputs", ""]
    if outputs:
        lines += ["| Name | Description |", "|------|-------------|"]
        lines += [
            f'| <a name="output_{o.name}"></a> [{_esc(o.name)}](#output\\_{_esc(o.name)}) | {_cell(o.description)} |'
            for o in outputs
        ]
    else:
        lines.append("No outputs.")
    return "\n".join(lines)


def inject(readme: str, generated: str) -> str:
    if BEGIN not in readme or END not in readme:
        raise ValueError(f"README has no {BEGIN} / {END} markers")
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{generated}\n{END}{tail}"


def documented_dirs(root: Path) -> list[Path]:
    """Every module and root whose README carries the markers."""
    return sorted(p.parent for p in root.glob("**/README.md") if BEGIN in p.read_text() and ".terraform" not in p.parts)


def sync(module_dir: Path, check: bool = False) -> bool:
    """Update (or with ``check`` only compare) a README; True when it was already in sync."""
    readme_path = module_dir / "README.md"
    readme = readme_path.read_text()
    updated = inject(readme, render(module_dir))
    if updated == readme:
        return True
    if not check:
        readme_path.write_text(updated)
    return False


def targets(paths: list[Path]) -> list[Path]:
    """The module directories to render; a path that cannot be one is a usage error."""
    if not paths:
        return documented_dirs(REPO_ROOT)
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
        if BEGIN not in text or END not in text:
            raise UsageError(f"{readme} has no {BEGIN} / {END} markers")
        found.append(target)
    return found


def _shown(path: Path) -> Path:
    return path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path


def sync_all(paths: list[Path], check: bool) -> list[Path]:
    """Render (or with ``check`` compare) the READMEs of ``paths`` (default: every documented one);
    returns those that were out of date, relative to the repository where they are in it."""
    stale = []
    for target in targets(paths):
        try:
            in_sync = sync(target, check=check)
        except (ValueError, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise UsageError(f"cannot render {_shown(target)}/README.md: {reason}") from exc
        if not in_sync:
            stale.append(_shown(target))
    return stale
