"""Inputs: the table schema, CSV/xlsx input tables, scenario files, `[adjust]`, site-role tables and input errors.

The lowest layer of the data path: no Pyomo, nothing above it imported (docs/architecture.md).
"""
