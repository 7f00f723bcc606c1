"""The ``cli`` fixture (tests/cli_runner.py) for the command tests."""

from cli_runner import CliResult, cli  # noqa: F401
