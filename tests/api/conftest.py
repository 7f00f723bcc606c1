"""The ``cli`` fixture (tests/cli_runner.py) for the tests that compare the API with the commands."""

from cli_runner import CliResult, cli  # noqa: F401
