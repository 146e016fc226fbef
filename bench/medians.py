"""The median of a scenario over the benchmark's rounds: one table row from several."""
import re
import statistics
from collections import Counter

#: Columns whose numbers are added up over the rounds (errors are too, by kind); the
#: others' numbers take the median.
SUMMED = {"requests"}
_ERRORS = re.compile(r"(?P<kind>[^,(]+): (?P<count>\d+)")


def median_row(columns: list[str], rows: list[list[str]], label: str) -> list[str]:
    """``rows`` (one scenario's, one per round) as one row: ``label`` in the ``round``
    column, requests and errors added up, every other figure the median over the rounds.
    A figure missing in any round (``n/a``) stays ``n/a``."""
    cells = []
    for index, column in enumerate(columns):
        values = [row[index] for row in rows]
        if column == "round":
            cells.append(label)
        elif len(set(values)) == 1 and column not in SUMMED and column != "errors":
            # The row's names, n/a everywhere, or a figure that did not move. A name is
            # never read as a number: the short sha 14e9926 is a float (infinity).
            cells.append(values[0])
        elif "n/a" in values:
            cells.append("n/a")
        elif column == "errors":
            cells.append(errors_cell(sum((parse_errors(value) for value in values), Counter())))
        elif column in SUMMED:
            cells.append(str(sum(int(value) for value in values)))
        else:
            digits = max(len(value.partition(".")[2]) for value in values)
            cells.append(f"{statistics.median(float(value) for value in values):.{digits}f}")
    return cells


def parse_errors(cell: str) -> Counter:
    """``"3 (status 500: 2, TimeoutError: 1)"`` as a Counter; ``"0"`` as an empty one."""
    return Counter({match["kind"].strip(): int(match["count"]) for match in _ERRORS.finditer(cell.partition("(")[2])})


def errors_cell(errors: Counter) -> str:
    if not errors:
        return "0"
    return f"{sum(errors.values())} (" + ", ".join(f"{kind}: {n}" for kind, n in errors.most_common()) + ")"

