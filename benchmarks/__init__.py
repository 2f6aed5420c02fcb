"""Hand-run performance benchmarks: `python -m benchmarks.run [--quick]` (see benchmarks/README.md)."""
