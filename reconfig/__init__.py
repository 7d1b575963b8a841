"""reconfig: service reconfiguration and capital planning as an integer program."""

__version__ = "0.1.0"
