"""Render a check report: a rich terminal table, JSON for machines, Markdown for pull requests."""

from __future__ import annotations

import io
import json
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from scripts.checks.budget import DatabaseBudget
from scripts.checks.cost import NO_REGION, CostEstimate
from scripts.checks.labels import labels_for
from scripts.checks.runner import Report

FORMATS = ("table", "json", "markdown")
ESTIMATE_NOTE = "Estimate only: list prices x planned sizes; usage-based charges are not included."


def render(report: Report, fmt: str, width: int | None = None, color: bool | None = None) -> str:
    if fmt == "json":
        return render_json(report)
    if fmt == "markdown":
        return render_markdown(report)
    if fmt == "table":
        return render_table(report, width=width, color=color)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


# --- JSON --------------------------------------------------------------------------------------


def render_json(report: Report) -> str:
    return json.dumps(report.as_dict(), indent=2, sort_keys=False) + "\n"


# --- rich --------------------------------------------------------------------------------------


def _fmt(value: Any) -> str:
    return "known after apply" if value is None else str(value)


def _money(value: float) -> str:
    return f"{value:,.2f}"


def budget_table(budget: DatabaseBudget) -> Table:
    cap = budget.cap
    pct = f" x {budget.max_connections_percent} %" if budget.proxy else ""
    via = f"proxy {budget.proxy}" if budget.proxy else "no proxy: direct connections"
    table = Table(
        title=Text(f"Connection budget: {budget.database}", style="bold"),
        caption=Text(
            f"{via}; cap {_fmt(cap)} = floor(max_connections {_fmt(budget.max_connections)}{pct}), "
            f"max_connections from the {budget.max_connections_source}"
        ),
        show_footer=True,
        title_justify="left",
    )
    total = budget.total
    headroom = budget.headroom_pct
    over = cap is not None and total > cap
    style = "bold red" if over else "bold green"
    table.add_column("service", footer="total / cap", overflow="fold")
    table.add_column("max tasks", justify="right")
    table.add_column("pool", justify="right")
    table.add_column(
        "connections",
        justify="right",
        footer=Text(f"{total} / {_fmt(cap)}", style=style),
    )
    table.add_column(
        "headroom",
        justify="right",
        footer=Text("n/a" if headroom is None else f"{headroom} %", style=style),
    )
    for row in budget.rows:
        table.add_row(Text(row.service), _fmt(row.max_tasks), _fmt(row.pool), _fmt(row.connections), "")
    if not budget.rows:
        table.add_row("(no ECS service connects to it)", "", "", "0", "")
    return table


def cost_title(estimate: CostEstimate) -> str:
    """The table's title names the prices' region: a figure without it is easy to misread."""
    return f"Monthly cost estimate ({estimate.meta['currency']}) at {estimate.meta['region']} prices"


def _delta(value: float) -> str:
    """A change per month with its sign: +12.00, -11.68; 0.00 when it rounds to nothing."""
    value = round(value, 2)
    return f"{value:+,.2f}" if value else "0.00"


def cost_notes(estimate: CostEstimate) -> str:
    """Where the prices and their region come from, and the totals before and after the change."""
    meta = estimate.meta
    if meta.get("region_source") == NO_REGION:
        region = f"The plan names no region: priced at {meta['region']} (pass --region)."
    else:
        region = f"Region {meta['region']} ({meta['region_source']})."
    stand_ins = meta.get("stand_ins") or []
    stand_in = f" Stand-in (us-east-1) prices for: {', '.join(stand_ins)}." if stand_ins else ""
    totals = (
        f" Before the change {_money(estimate.total_before)}, after {_money(estimate.total)}, "
        f"change {_delta(estimate.total_delta)} per month."
    )
    return f"{ESTIMATE_NOTE} Prices: {meta['source']}, as of {meta['as_of']}. {region}{stand_in}{totals}"


def cost_table(estimate: CostEstimate) -> Table:
    table = Table(
        title=cost_title(estimate),
        caption=Text(cost_notes(estimate)),
        show_footer=True,
        title_justify="left",
    )
    budget = "" if estimate.budget is None else f" (budget {_money(estimate.budget)})"
    # Short labels that wrap, and fold as the last resort: at 80 columns a cut type name made
    # different resource types print alike. JSON and Markdown keep the Terraform types.
    table.add_column("resource", footer="total" + budget, overflow="fold")
    table.add_column("count", justify="right")
    table.add_column("per month", justify="right", footer=_money(estimate.total))
    table.add_column("change", justify="right", footer=_delta(estimate.total_delta))
    table.add_column("at max scale", justify="right", footer=_money(estimate.total_at_max))
    table.add_column("notes", overflow="fold")
    names = labels_for(line.resource_type for line in estimate.lines)
    for line in estimate.lines:
        table.add_row(
            Text(names[line.resource_type]),
            str(line.count),
            _money(line.monthly),
            _delta(line.delta),
            _money(line.monthly_at_max),
            Text("; ".join(line.notes)),
        )
    return table


def cost_changes_table(estimate: CostEstimate) -> Table:
    """Per address, what the change adds or saves a month: the line a reviewer looks for."""
    table = Table(title=Text("Cost change by resource (per month)", style="bold"), title_justify="left")
    table.add_column("resource", overflow="fold")
    table.add_column("action")
    table.add_column("before", justify="right")
    table.add_column("after", justify="right")
    table.add_column("change", justify="right")
    for res in estimate.changed():
        table.add_row(Text(res.address), res.action, _money(res.before), _money(res.after), _delta(res.delta))
    return table


def findings_table(report: Report) -> Table:
    """Two columns, so that at 80 columns the check ids stay whole and the resource, problem and
    fix get the rest of the width (five columns left them a dozen characters each)."""
    table = Table(title="Findings", title_justify="left", show_lines=True)
    table.add_column("finding", overflow="fold")
    table.add_column("resource, problem and fix", overflow="fold")
    for f in report.findings:
        style = "bold red" if f.severity == "error" else "yellow"
        finding = Text(f.severity, style=style)
        finding.append(f"\n{f.check_id}", style="")
        detail = Text(f.address, style="bold")
        detail.append(f"\n{f.message}\n", style="")
        detail.append("fix: ", style="italic")
        detail.append(f.fix, style="")
        table.add_row(finding, detail)
    return table


def print_report(report: Report, console: Console) -> None:
    changes = ", ".join(f"{n} to {k}" for k, n in report.changes.items() if n) or "no changes"
    env = "prod-like" if report.prod_like else "not prod-like"
    header = Text("Plan checks", style="bold")
    header.append(f" {report.source} ({changes}; {env})" if report.source else f" ({changes}; {env})", style="")
    console.print(header)
    for budget in report.budgets:
        console.print(budget_table(budget))
    console.print(cost_table(report.cost))
    if report.cost.changed():
        console.print(cost_changes_table(report.cost))
    if report.findings:
        console.print(findings_table(report))
    verdict = (
        f"[bold green]SAFE[/bold green]: no errors, {len(report.warnings)} warnings"
        if report.safe
        else f"[bold red]UNSAFE[/bold red]: {len(report.errors)} errors, {len(report.warnings)} warnings"
    )
    console.print(verdict)


def render_table(report: Report, width: int | None = None, color: bool | None = None) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width or 160,
        force_terminal=bool(color),
        no_color=not color,
        highlight=False,
        soft_wrap=False,
    )
    print_report(report, console)
    return buffer.getvalue()


# --- Markdown ----------------------------------------------------------------------------------


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report) -> str:
    out: list[str] = []
    status = "✅ safe to apply" if report.safe else "❌ unsafe: policy violations"
    changes = ", ".join(f"{n} to {k}" for k, n in report.changes.items() if n) or "no changes"
    out.append(f"## Plan checks: {status}")
    out.append("")
    src = f"`{_md(report.source)}` — " if report.source else ""
    env = "prod-like" if report.prod_like else "not prod-like"
    out.append(f"{src}{changes}; {env}; {len(report.errors)} errors, {len(report.warnings)} warnings.")
    out.append("")
    for budget in report.budgets:
        out.append(f"### Connection budget: `{_md(budget.database)}`")
        out.append("")
        out.append("| service | max tasks | pool | connections |")
        out.append("|---|---:|---:|---:|")
        for row in budget.rows:
            out.append(f"| `{_md(row.service)}` | {_fmt(row.max_tasks)} | {_fmt(row.pool)} | {_fmt(row.connections)} |")
        cap = budget.cap
        out.append(f"| **total** | | | **{budget.total} / {_fmt(cap)}** |")
        out.append("")
        pct = f" x {budget.max_connections_percent} %" if budget.proxy else ""
        headroom = "n/a" if budget.headroom_pct is None else f"{budget.headroom_pct} %"
        via = f"proxy `{_md(budget.proxy)}`" if budget.proxy else "no proxy (direct connections)"
        out.append(
            f"Cap {_fmt(cap)} = floor(max_connections {_fmt(budget.max_connections)}{pct}) via {via}; "
            f"headroom {headroom}."
        )
        out.append("")
    est = report.cost
    out.append(f"### {cost_title(est)}")
    out.append("")
    out.append("| resource type | count | before / month | after / month | change | at max scale | notes |")
    out.append("|---|---:|---:|---:|---:|---:|---|")
    for line in est.lines:
        out.append(
            f"| `{line.resource_type}` | {line.count} | {_money(line.before)} | {_money(line.monthly)} "
            f"| {_delta(line.delta)} | {_money(line.monthly_at_max)} | {_md('; '.join(line.notes))} |"
        )
    budget = "" if est.budget is None else f" (budget {_money(est.budget)})"
    out.append(
        f"| **total**{budget} | | **{_money(est.total_before)}** | **{_money(est.total)}** "
        f"| **{_delta(est.total_delta)}** | **{_money(est.total_at_max)}** | |"
    )
    out.append("")
    out.append(f"_{_md(cost_notes(est))}_")
    out.append("")
    changed = est.changed()
    if changed:
        out.append("#### Cost change by resource (per month)")
        out.append("")
        out.append("| resource | action | before | after | change |")
        out.append("|---|---|---:|---:|---:|")
        for res in changed:
            out.append(
                f"| `{_md(res.address)}` | {res.action} | {_money(res.before)} | {_money(res.after)} "
                f"| **{_delta(res.delta)}** |"
            )
        out.append("")
    if report.findings:
        out.append("### Findings")
        out.append("")
        out.append("| severity | check | resource | problem | fix |")
        out.append("|---|---|---|---|---|")
        for f in report.findings:
            icon = "❌" if f.severity == "error" else "⚠️"
            out.append(
                f"| {icon} {f.severity} | `{f.check_id}` | `{_md(f.address)}` | {_md(f.message)} | {_md(f.fix)} |"
            )
        out.append("")
    return "\n".join(out)
