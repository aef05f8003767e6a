"""Benchmark: person search on the 30,000-household township — names (mostly two characters), pinyin initials,
ID-number tails, phone fragments — p50/p95 (target p95 under 10 ms), beside a bare indexed SQL query on the same
file (a name-prefix range with LIMIT 50 through sqlcipher3, the cheapest useful query)."""

from __future__ import annotations

import random

from sqlalchemy import select

from app.models import Person
from app.pinyin import read_name
from app.search import search_people
from bench.common import benchmark_township, open_township, percentiles, report, time_calls


def main() -> None:
    benchmark_township()
    ledger = open_township()
    rng = random.Random(7)
    with ledger.read() as session:
        rows = session.execute(
            select(Person.name, Person.id_number, Person.phone).where(Person.deleted.is_(False))
        ).all()
        sample = rng.sample(rows, 300)
        queries = {
            "name": [r.name for r in sample],
            "name_2_chars": [r.name[:2] for r in sample],
            "initials": [read_name(r.name).initials for r in sample],
            "id_tail_6": [r.id_number[-6:] for r in sample if r.id_number],
            "phone_fragment_4": [r.phone[-4:] for r in sample if r.phone][:200],
        }
        for q in queries["name"][:20]:  # warm the page cache
            search_people(session, q)
        figures: dict[str, object] = {}
        for kind, items in queries.items():
            figures[kind] = percentiles(time_calls(lambda q: search_people(session, q), items, repeat=2))
        raw = session.connection().connection.dbapi_connection
        assert raw is not None
        bare_sql = "SELECT id, name FROM person WHERE name >= ? AND name < ? ORDER BY name LIMIT 50"
        bare = percentiles(
            time_calls(
                lambda q: raw.execute(bare_sql, (q, q + "\U0010ffff")).fetchall(), queries["name_2_chars"], 2
            )
        )
    ledger.close()
    figures["bare_name_prefix_sql"] = bare
    worst = max(
        v["p95_ms"] for k, v in figures.items() if isinstance(v, dict) and k != "bare_name_prefix_sql"
    )
    figures["worst_p95_ms"] = worst
    figures["target_p95_ms"] = 10
    figures["ratio_worst_p95_to_bare_p95"] = round(worst / max(bare["p95_ms"], 1e-6), 1)
    report("search", figures)


if __name__ == "__main__":
    main()
