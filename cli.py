"""Thin entry point: `python cli.py ...` is the same as the `reconfig` command."""

from reconfig.cli import main

if __name__ == "__main__":
    main()
