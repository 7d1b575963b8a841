"""Results of a solve: summary.json, tidy tables, results.xlsx, run directories and the run catalogue."""
