"""Run the command line: `python -m handbook`."""

from handbook.commands.cli import main

main()
