"""Benchmarks on the benchmark township (30,000 households, ~100,000 people). Not tests: run them by hand."""
