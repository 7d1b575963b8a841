"""The MILP formulation: one module per constraint family, each adding named Pyomo components.

`build.build_model` is the sequence of family calls; docs/formulation.md maps each family to its module,
its FORMULATION.md number and the test that fails without it.
"""
