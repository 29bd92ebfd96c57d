"""Tables as text: one helper for every table spikemem prints (padded columns) or writes
(Markdown)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["markdown_table", "text_table"]


def markdown_table(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown (GitHub) table; every cell is written with ``str``.

    Parameters
    ----------
    header : sequence
        Column titles.
    rows : iterable of sequences
        The rows, each as long as ``header``.
    """
    lines = ["| " + " | ".join(map(str, header)) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = list(map(str, row))
        if len(cells) != len(header):
            raise ValueError(f"markdown_table: a row has {len(cells)} cells, the header {len(header)}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def text_table(
    header: Sequence[Any], rows: Iterable[Sequence[Any]], align: str | None = None, indent: int = 2
) -> list[str]:
    """Lines of a plain-text table, columns padded to their widest cell and two spaces apart.

    Parameters
    ----------
    header : sequence
        Column titles.
    rows : iterable of sequences
        The rows, each as long as ``header``; cells are written with ``str`` (format numbers
        before).
    align : str, optional
        One letter per column, ``"l"`` (left) or ``"r"`` (right); default: the first column
        left, the others right.
    indent : int
        Spaces before every line.

    Returns
    -------
    list of str
        The header line, then one line per row (no trailing spaces).
    """
    table = [list(map(str, header))] + [list(map(str, row)) for row in rows]
    align = align or "l" + "r" * (len(header) - 1)
    if len(align) != len(header) or set(align) - {"l", "r"}:
        raise ValueError(
            f"text_table: align must be one of 'l'/'r' per column ({len(header)}), got {align!r}"
        )
    for row in table[1:]:
        if len(row) != len(header):
            raise ValueError(f"text_table: a row has {len(row)} cells, the header {len(header)}")
    widths = [max(len(row[k]) for row in table) for k in range(len(header))]
    return [
        (
            " " * indent
            + "  ".join(
                c.ljust(w) if a == "l" else c.rjust(w) for c, w, a in zip(row, widths, align, strict=True)
            )
        ).rstrip()
        for row in table
    ]
