"""Shared pieces of the benchmarks: the benchmark township (built once and reused), timing, and reporting.

Every figure is printed beside a bare baseline measured in the same run on the same file, because the machines
are shared VMs whose speed drifts.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from app.ledger import Ledger

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("GRIDDESK_BENCH_DIR", ROOT / "bench" / "results"))
PASSPHRASE = "bench"
HOUSEHOLDS = int(os.environ.get("GRIDDESK_BENCH_HOUSEHOLDS", "30000"))
SEED = 2026


def township_path(households: int = HOUSEHOLDS) -> Path:
    return CACHE / f"township-{households}" / "ledger.db"


def benchmark_township(households: int = HOUSEHOLDS) -> Path:
    """The benchmark township's ledger file, generated on first use (same seed, so always the same data)."""
    from app.demo import generate_demo

    path = township_path(households)
    if not path.exists():
        shutil.rmtree(path.parent, ignore_errors=True)
        ledger = Ledger.open(path, PASSPHRASE, actor="bench", create=True)
        generate_demo(ledger, households=households, seed=SEED)
        ledger.close()
    return path


def open_township(households: int = HOUSEHOLDS) -> Ledger:
    return Ledger.open(benchmark_township(households), PASSPHRASE, actor="bench")


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(p95, 3),
        "max_ms": round(ordered[-1], 3),
    }


def time_calls(fn: Callable[[Any], Any], inputs: list[Any], repeat: int = 1) -> list[float]:
    samples = []
    for _ in range(repeat):
        for item in inputs:
            started = time.perf_counter()
            fn(item)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(name: str, figures: dict[str, Any]) -> None:
    """Print the figures and keep them in bench/results/NAME.json."""
    data = {
        "benchmark": name,
        "when": datetime.now().isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        **figures,
    }
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(data, ensure_ascii=False, indent=2))
