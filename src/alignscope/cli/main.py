"""The ``alignscope`` command: user errors print one line and exit 2; ``--json`` prints one object."""

from __future__ import annotations

import sys

import typer

from alignscope.cli import (
    attribute_cmd,
    audit_cmd,
    audit_judge_cmd,
    bench_cmd,
    correlate_cmd,
    data_cmd,
    dissect,
    evaluate_cmd,
    generate_cmd,
    judge_cmd,
    leaderboard_cmd,
    report_cmd,
    runs_cmd,
    train_cmd,
    trust_study_cmd,
)
from alignscope.errors import UserError

app = typer.Typer(
    name="alignscope",
    help="Is this model better aligned, or only judged better? Judges vs concrete metrics.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("generate")(generate_cmd.generate)
app.command("bench")(bench_cmd.bench)
app.add_typer(runs_cmd.app, name="runs")
app.add_typer(data_cmd.app, name="data")
app.add_typer(dissect.app, name="dissect")
app.command("judge")(judge_cmd.judge)
app.command("evaluate")(evaluate_cmd.evaluate)
app.command("leaderboard")(leaderboard_cmd.leaderboard)
app.command("audit-judge")(audit_judge_cmd.audit_judge)
app.add_typer(train_cmd.app, name="train")
app.command("trust-study")(trust_study_cmd.trust_study)
app.command("audit")(audit_cmd.audit)
app.command("correlate")(correlate_cmd.correlate)
app.command("report")(report_cmd.report)
app.command("view")(report_cmd.view)
app.command("attribute")(attribute_cmd.attribute)


def main() -> None:
    """Entry point: run the app, turning UserErrors into one line on stderr and exit code 2."""
    try:
        app()
    except UserError as exc:
        print(f"alignscope: error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print(
            "alignscope: interrupted; finished calls are stored, rerun the same command to resume",
            file=sys.stderr,
        )
        sys.exit(130)


if __name__ == "__main__":
    main()
