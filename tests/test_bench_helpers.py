"""The load benchmark's own arithmetic: percentiles and the exactly-once check."""
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from drive import percentile  # noqa: E402
from load import exactly_once  # noqa: E402


def test_percentile_is_nearest_rank():
    values = [float(n) for n in range(100, 0, -1)]
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (50.0, 95.0, 99.0)
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) == 0.0


def test_exactly_once_finds_lost_and_doubled_writes():
    kept, lost, doubled = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    missing, duplicated = exactly_once([kept, lost, doubled], {kept: 1, doubled: 2})
    assert (missing, duplicated) == ([lost], [doubled])
