"""Run the command line: `python -m handbook`."""

from .cli import main

main()
