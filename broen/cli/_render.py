"""Rendering library results for the terminal with rich. No logic beyond layout."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from broen.analytics import (
    RULES,
    FileReport,
    ImportReport,
    PseudonymisationReport,
    QuarantinedRow,
    WarehouseInfo,
)

console = Console()


@contextmanager
def progress_bar(title: str) -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar driven by the library's ``progress(stage, done, total)`` callbacks."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task(title, total=None)

        def update(stage: str, done: int, total: int) -> None:
            bar.update(task, description=f"{title}: {stage}", completed=done, total=total)

        yield update


def import_report(report: ImportReport) -> None:
    if report.status == "unchanged":
        console.print(
            f"Nothing to do: this extract was imported before as batch [bold]{report.batch_id}"
            f"[/] ({report.imported_at})."
        )
        return
    table = Table(title=f"Import {report.batch_id}", show_footer=True)
    table.add_column("table", footer="total")
    table.add_column("files", justify="right")
    table.add_column("read", justify="right", footer=f"{report.rows_read:,}")
    table.add_column("accepted", justify="right", footer=f"{report.rows_accepted:,}")
    table.add_column("rejected", justify="right", footer=f"{report.rows_rejected:,}")
    table.add_column("rejected by rule")
    for name, files in _by_table(report.files).items():
        rules: dict[str, int] = {}
        for f in files:
            for rule, n in f.rules.items():
                rules[rule] = rules.get(rule, 0) + n
        table.add_row(
            name,
            str(len(files)),
            f"{sum(f.rows_read for f in files):,}",
            f"{sum(f.rows_accepted for f in files):,}",
            f"{sum(f.rows_rejected for f in files):,}",
            "\n".join(f"{rule} {n:,}" for rule, n in sorted(rules.items())),
        )
    console.print(table)
    for f in report.files:
        if f.dialect:
            console.print(f"{f.file}: read as {f.dialect}", soft_wrap=True, markup=False)
    for f in report.files:
        if f.ignored_columns:
            console.print(
                f"[yellow]{f.file}: columns not in contract v1 were ignored: "
                f"{', '.join(f.ignored_columns)}"
            )
    if report.ignored_files:
        console.print(
            f"[yellow]Not tables of the format, ignored: {', '.join(report.ignored_files)}"
        )
    if report.replaced_batch:
        console.print(f"Replaced the earlier batch {report.replaced_batch} of {report.source}.")
    check = "[green]reconciles[/]" if report.reconciles else "[red]DOES NOT RECONCILE[/]"
    console.print(
        f"Rows read {report.rows_read:,} = accepted {report.rows_accepted:,} + rejected "
        f"{report.rows_rejected:,}: {check}.",
        soft_wrap=True,
    )


def _by_table(files: list[FileReport]) -> dict[str, list[FileReport]]:
    out: dict[str, list[FileReport]] = {}
    for f in files:
        out.setdefault(f.table, []).append(f)
    return out


def rule_legend(rules: list[str]) -> None:
    for rule in rules:
        console.print(f"  [bold]{rule}[/]: {RULES[rule]}")


def warehouse_info(info: WarehouseInfo) -> None:
    schema = ", ".join(f"{name} {step}" for name, step in info.schema.items())
    console.print(f"Warehouse [bold]{info.path}[/] (schema: {schema})")
    tables = Table(title="Tables")
    tables.add_column("table")
    tables.add_column("rows", justify="right")
    for name, n in info.table_rows.items():
        tables.add_row(name, f"{n:,}")
    console.print(tables)
    if not info.batches:
        console.print("No batches imported yet.")
    for b in info.batches:
        console.print(
            f"Batch [bold]{b.batch_id}[/]: source {b.source}, imported "
            f"{b.imported_at:%Y-%m-%d %H:%M}, period {b.period_start or '?'} to "
            f"{b.period_end or '?'}; rows read {b.rows_read:,} = accepted "
            f"{b.rows_accepted:,} + rejected {b.rows_rejected:,}"
        )
    if info.quarantine:
        quarantine = Table(title="Quarantined rows")
        quarantine.add_column("table")
        quarantine.add_column("rule")
        quarantine.add_column("rows", justify="right")
        for (table, rule), n in info.quarantine.items():
            quarantine.add_row(table, rule, f"{n:,}")
        console.print(quarantine)
    else:
        console.print("No quarantined rows.")


def quarantine(rows: list[QuarantinedRow]) -> None:
    if not rows:
        console.print("No quarantined rows match.")
        return
    table = Table(title="Quarantined rows")
    for col in ("file", "row", "rule", "column", "value", "why"):
        table.add_column(col)
    for r in rows:
        table.add_row(r.file, str(r.row), r.rule, r.column or "", r.value or "", r.message)
    console.print(table)


def synth_result(result: Any) -> None:
    table = Table(title=f"Synthetic extract in {result.out_dir}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in result.counts.items():
        table.add_row(name, f"{n:,}")
    console.print(table)


def pseudonymisation_report(report: PseudonymisationReport) -> None:
    table = Table(title=f"Pseudonymised into {report.out_dir} (key {report.key_fingerprint})")
    for col in ("file", "rows", "ids replaced", "persons", "CPR-shaped", "CPR problems", "mod-11"):
        table.add_column(col, justify="left" if col == "file" else "right")
    for f in report.files:
        problems = ", ".join(f"{k} {n:,}" for k, n in f.problems.items() if n) or "0"
        table.add_row(
            f.file,
            f"{f.rows:,}",
            f"{f.identifiers_replaced:,}",
            f"{f.distinct_persons:,}",
            f"{f.cpr_shaped:,}",
            problems,
            f"{f.mod11_warnings:,}",
        )
    console.print(table)
    console.print(f"Distinct persons: {report.distinct_persons:,}")
    if report.not_copied:
        console.print(
            f"[yellow]Not copied (not tables of the format): {', '.join(report.not_copied)}"
        )
    for example in report.examples:
        console.print(f"  CPR problem '{example.problem}' in {example.file}, row {example.row}")
    for warning in report.warnings:
        console.print(f"[yellow]Warning: {warning}", soft_wrap=True)
