"""Benchmark: the grid coverage report (app.reports.coverage.grid_coverage) on the 30,000-household township,
p50/p95 of repeated runs, beside a bare grouped count on the same file (``SELECT grid_id, count(*) FROM household
GROUP BY grid_id`` through sqlcipher3, the least a coverage figure can cost), and the .xlsx export once."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from app.reports.coverage import grid_coverage, write_coverage_xlsx
from bench.common import benchmark_township, open_township, percentiles, report, time_calls

RUNS = 20


def main() -> None:
    benchmark_township()
    ledger = open_township()
    with ledger.read() as session:
        result = grid_coverage(session)  # warm the page cache
        raw = session.connection().connection.dbapi_connection
        assert raw is not None
        bare_sql = "SELECT grid_id, count(*) FROM household GROUP BY grid_id"
        raw.execute(bare_sql).fetchall()
        figures: dict[str, object] = {
            "grid_coverage": percentiles(time_calls(lambda _: grid_coverage(session), list(range(RUNS)))),
            "bare_household_count_by_grid_sql": percentiles(
                time_calls(lambda _: raw.execute(bare_sql).fetchall(), list(range(RUNS)))
            ),
        }
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        write_coverage_xlsx(result, Path(tmp) / "coverage.xlsx")
        figures["xlsx_export_ms"] = round((time.perf_counter() - started) * 1000, 1)
    ledger.close()
    totals = result.totals
    figures["township"] = {
        "grids": totals.grids,
        "households": totals.households,
        "people_in_grids": totals.people_in_grids,
        "grids_out_of_band": totals.under + totals.over,
        "grids_missing_posts": totals.missing_posts,
        "households_without_grid": totals.households_without_grid,
    }
    coverage = figures["grid_coverage"]
    bare = figures["bare_household_count_by_grid_sql"]
    assert isinstance(coverage, dict) and isinstance(bare, dict)
    figures["ratio_p50_to_bare_p50"] = round(coverage["p50_ms"] / max(bare["p50_ms"], 1e-6), 1)
    report("coverage", figures)


if __name__ == "__main__":
    main()
