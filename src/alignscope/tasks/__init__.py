"""Concrete ground-truth benchmarks (docs/ARCHITECTURE.md: the tasks layer): items, prompting and
deterministic scorers."""
