"""One starter for the township server as a subprocess (server.launch), shared by the sync tests' fixtures and the
sync benchmark: it comes up on a free loopback port, stops, and says why when it cannot start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

import bench.sync
from server.launch import ROOT, launch
from tests.sync.conftest import start_server


def test_the_server_comes_up_on_a_free_loopback_port_and_stops(tmp_path: Path) -> None:
    running = launch(tmp_path / "server.db")
    try:
        assert running.url.startswith("http://127.0.0.1:")
        assert running.db == f"sqlite:///{tmp_path / 'server.db'}"
        assert requests.get(running.url + "/health", timeout=5).ok
    finally:
        running.stop()
    assert running.process.poll() is not None
    with pytest.raises(requests.ConnectionError):
        requests.get(running.url + "/health", timeout=5)


def test_a_server_that_cannot_start_says_why(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match=r"(?s)server did not start: .*nosuchdialect"):
        launch("nosuchdialect://nowhere")


def test_the_tests_and_the_benchmark_start_it_with_the_same_starter(tmp_path: Path) -> None:
    assert vars(bench.sync)["launch"] is launch
    assert not hasattr(bench.sync, "_serve") and not hasattr(bench.sync, "_free_port")
    running = start_server(tmp_path / "server.db")
    try:
        assert requests.get(running.url + "/health", timeout=5).ok
    finally:
        running.stop()
    shown = subprocess.run(
        [sys.executable, "-m", "bench.sync", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert "--url" in shown.stdout
