"""``alignscope dissect``: preference dissection. ``annotate`` answers on the 29 properties with an
annotator model, ``fit`` a judge's (or humans') weights from a feature table, a stored run or AlpacaEval
annotations, ``compare`` preference profiles (the original's released weights by default), ``manipulate`` a
model with a judge's favourite and least favourite properties and measure how its score moves,
``scenarios`` label queries with the original's scenario groups, ``sizes`` and ``strength`` the findings
on judge size and preference strength. One module per
command; ``shared`` holds what they share: options, the weights they read, the result files they write."""

from __future__ import annotations

import typer

from alignscope.cli.dissect.annotate import annotate
from alignscope.cli.dissect.compare import compare
from alignscope.cli.dissect.findings import sizes, strength
from alignscope.cli.dissect.fit import fit
from alignscope.cli.dissect.manipulate import manipulate
from alignscope.cli.dissect.scenarios import scenarios

app = typer.Typer(
    help="Preference dissection: annotate, fit, compare, manipulate, scenarios, sizes, strength.",
    no_args_is_help=True,
)
app.command("annotate")(annotate)
app.command("fit")(fit)
app.command("compare")(compare)
app.command("manipulate")(manipulate)
app.command("scenarios")(scenarios)
app.command("sizes")(sizes)
app.command("strength")(strength)
