"""Decision analysis on top of solves: compare, sweep, Pareto, alternatives, robustness, diagnosis, marginal values."""
