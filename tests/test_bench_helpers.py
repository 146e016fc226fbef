"""The load benchmark's own arithmetic: percentiles, the exactly-once check and the
pieces of ``BENCH_BASELINE`` that need no server."""
import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from client import parse_response  # noqa: E402
from drive import percentile  # noqa: E402
from medians import median_row  # noqa: E402
from baseline import Checkout, check_imports, entry_json  # noqa: E402
from writes import exactly_once, stored_counts  # noqa: E402
from seed import entry_content, step_text  # noqa: E402


def test_percentile_is_nearest_rank():
    values = [float(n) for n in range(100, 0, -1)]
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (50.0, 95.0, 99.0)
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) == 0.0


def test_exactly_once_finds_lost_and_doubled_writes():
    kept, lost, doubled = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    missing, duplicated = exactly_once([kept, lost, doubled], {kept: 1, doubled: 2})
    assert (missing, duplicated) == ([lost], [doubled])


def test_stored_counts_counts_each_id_in_any_revisions_entries_table(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path}/bench.sqlite")
    entries = sa.Table("entries", sa.MetaData(), sa.Column("id", sa.Uuid()))
    entries.create(engine)
    once, twice, never = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    with engine.begin() as connection:
        connection.execute(entries.insert(), [{"id": once}, {"id": twice}, {"id": twice}])
    assert stored_counts(engine, [once, twice, never]) == {once: 1, twice: 2}


def test_baseline_entries_are_the_seeded_entries_as_json():
    now = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
    body = entry_json(3, now)
    content = entry_content(3, now)
    assert {key: body[key] for key in ("insights", "mood", "emotions")} == \
        {key: content[key] for key in ("insights", "mood", "emotions")}
    assert body["written_at"] == "2026-11-26T11:57:00+00:00"
    assert [step["text"] for step in body["action_steps"]] == [step_text(3)]


def test_baseline_refuses_a_journal_imported_from_elsewhere(tmp_path):
    checkout = Checkout("7ac9ea9", tmp_path)
    check_imports(tmp_path / "journal" / "__init__.py", checkout)
    with pytest.raises(RuntimeError, match="not"):
        check_imports(Path(__file__).resolve().parent.parent / "journal" / "__init__.py", checkout)


def test_a_median_row_adds_requests_and_errors_and_takes_the_median_of_each_figure():
    columns = ["database", "round", "scenario", "requests", "req/s", "p95 ms", "errors", "CPU ms/req"]
    rounds = [["sqlite", "1", "page", "100", "300", "12.0", "0", "3.1"],
              ["sqlite", "2", "page", "90", "250", "80.5", "2 (status 500: 2)", "3.9"],
              ["sqlite", "3", "page", "110", "310", "14.2", "1 (TimeoutError: 1)", "3.0"]]
    assert median_row(columns, rounds, "median of 3") == [
        "sqlite", "median of 3", "page", "300", "300", "14.2", "3 (status 500: 2, TimeoutError: 1)", "3.1"]


def test_a_figure_missing_in_a_round_has_no_median():
    columns = ["scenario", "round", "req/s"]
    assert median_row(columns, [["feed", "1", "n/a"], ["feed", "2", "400"]], "median of 2") == [
        "feed", "median of 2", "n/a"]


def test_a_code_name_that_reads_as_a_number_stays_as_it_is():
    """A short sha such as 14e9926 is a float to Python (14 × 10^9926, infinity)."""
    columns = ["code", "round", "requests", "req/s", "SQL/req"]
    rounds = [["14e9926", "1", "100", "300", "3.0"], ["14e9926", "2", "100", "320", "3.0"]]
    assert median_row(columns, rounds, "median of 2") == ["14e9926", "median of 2", "200", "310", "3.0"]


def test_the_bench_client_reads_an_answer_with_its_cookies_and_either_kind_of_body():
    plain = (b"HTTP/1.1 302 FOUND\r\nSet-Cookie: session=abc; HttpOnly\r\nSet-Cookie: remember=; Max-Age=0\r\n"
             b"Content-Length: 5\r\n\r\nhello")
    assert parse_response(plain) == (302, [("set-cookie", "session=abc; HttpOnly"), ("set-cookie", "remember=; Max-Age=0"),
                                           ("content-length", "5")], b"hello")
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    assert parse_response(chunked)[2] == b"hello world"
    with pytest.raises(ValueError):
        parse_response(b"SSH-2.0-OpenSSH\r\n")
