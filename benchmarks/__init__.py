"""Benchmarks: `make bench` writes their figures into BENCHMARKS.md."""
