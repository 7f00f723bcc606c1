"""``alignscope dissect annotate``: annotate answers on the 29 properties with an annotator model, from a
stored run, answer files or labelled pairs in the original's format (whose labels are stored too)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from alignscope.cli import options as opt
from alignscope.cli.common import begin_run, emit_json, end_run, open_store, print_table
from alignscope.cli.dissect.shared import ModelRunOptions
from alignscope.cli.option_groups import with_groups
from alignscope.config import ModelSpec
from alignscope.errors import ConfigError, DataError

SAMPLE_PAIRS = "sample"


@with_groups(job=ModelRunOptions)
def annotate(
    annotator: Annotated[
        str, typer.Option("--annotator", "-a", help="Annotator model as BACKEND:MODEL or BACKEND:MODEL@URL.")
    ] = "hf:smollm2-135m",
    run: Annotated[
        str | None, typer.Option("--run", help="Annotate the Generations of this stored run.")
    ] = None,
    answers: Annotated[
        list[Path] | None, typer.Option("--answers", help="Answer file (JSON/JSONL); repeatable.")
    ] = None,
    data: Annotated[str | None, typer.Option("--data", "-d", help="Questions for answer files.")] = None,
    pairs: Annotated[
        str | None,
        typer.Option(
            "--pairs",
            help="Labelled pairs in the original's format (prompt, response_a, response_b, winner, ...) as "
            "JSONL, or 'sample' for the original's 2 bundled pairs; the labels are stored as judge --source.",
        ),
    ] = None,
    source: Annotated[str, typer.Option(help="Judge name of the labels of --pairs.")] = "human",
    max_tokens: Annotated[int, typer.Option(help="Maximum tokens of an annotation.")] = 1024,
    temperature: Annotated[float, typer.Option(help="Annotator sampling temperature.")] = 0.0,
    parse_retries: Annotated[int, typer.Option(help="Retries (new seed) of an invalid annotation.")] = 2,
    no_reference: Annotated[
        bool, typer.Option("--no-reference", help="Check errors without the items' reference answers.")
    ] = False,
    job: ModelRunOptions = ModelRunOptions(),
    workspace: opt.Workspace = None,
    json_out: opt.Json = False,
) -> None:
    """Annotate answers on the 29 properties (query traits, ratings, relevance, novelty, errors)."""
    from alignscope.backends.registry import make_backend
    from alignscope.judges.annotator import STAGES, annotation_summary, annotator_label, stage_template
    from alignscope.judges.annotator import annotate as run_annotate
    from alignscope.judges.config import JudgeSpec
    from alignscope.judges.run import store_judgments

    if sum(x is not None and x != [] for x in (run, answers, pairs)) != 1:
        raise ConfigError("give exactly one of --run, --answers or --pairs")
    spec = JudgeSpec(
        model=ModelSpec.parse(annotator, job.api_key_env),
        mode="annotator",
        sampling={"max_tokens": max_tokens, "temperature": temperature, "seed": job.seed},
        parse_retries=parse_retries,
        use_reference=not no_reference,
    )
    templates = {stage: stage_template(stage, spec.templates) for stage in STAGES}
    store = open_store(workspace)
    inputs, labels = _annotation_inputs(store, run, answers, data, pairs, source, job.limit, job.seed)
    backend = make_backend(spec.model, where="annotator")
    config = {
        "annotator": spec.model_dump(mode="json"),
        "run": run,
        "answers": [str(a) for a in answers or []],
        "data": data,
        "pairs": pairs,
        "source": source,
        "limit": job.limit,
        "seed": job.seed,
    }
    engine = begin_run(store, "dissect-annotate", config, job.run_id)
    judgments = run_annotate(engine, backend, spec, inputs)
    if labels:
        store_judgments(store, [j.model_copy(update={"run_id": engine.run_id}) for j in labels])
    rows = annotation_summary(judgments)
    n_items = len({(g.dataset, g.item_id) for g in inputs.generations})
    print_table(
        f"annotator {spec.model.name} on {len(inputs.generations)} answers to {n_items} items",
        ["stage", "calls", "parsed", "failed", "failure rate", "parsed after retry"],
        [
            [
                r["stage"],
                r["calls"],
                r["parsed"],
                r["failed"],
                _rate(r["failure_rate"]),
                r["parsed_after_retry"],
            ]
            for r in rows
        ],
        json_mode=json_out,
    )
    overall = rows[-1]
    summary = {
        "annotator": {
            "model": spec.model.model,
            "backend": spec.model.backend,
            "label": annotator_label(spec),
            "sampling": spec.sampling.model_dump(),
            "parse_retries": spec.parse_retries,
            "templates": {s: t.version for s, t in templates.items()},
        },
        "items": n_items,
        "answers": len(inputs.generations),
        "labels": len(labels),
        "stages": rows,
        "annotations": overall["calls"],
        "parse_failures": overall["failed"],
        "parse_failure_rate": overall["failure_rate"],
    }
    full = end_run(engine, summary, json_mode=json_out)
    if json_out:
        emit_json(full)


def _annotation_inputs(
    store: Any,
    run: str | None,
    answers: list[Path] | None,
    data: str | None,
    pairs: str | None,
    source: str,
    limit: int | None,
    seed: int,
) -> tuple[Any, list[Any]]:
    """The answers to annotate (JudgeInputs) and, for --pairs, their labels."""
    from alignscope.analysis.dissection.judge_run import inputs_from_pairs
    from alignscope.data.loaders import subset
    from alignscope.judges.run import JudgeInputs, inputs_from_run

    labels: list[Any] = []
    if run is not None:
        inputs = inputs_from_run(store, run)
    elif answers:
        from alignscope.data import load_items
        from alignscope.judges.answers import read_answers

        items, gens = read_answers(list(answers), load_items(data) if data else None)
        inputs = JudgeInputs.of(items, gens)
    else:
        inputs, labels = inputs_from_pairs(_pair_rows(pairs), source=source, version=_pairs_version(pairs))
    if limit is not None:
        keep = set(subset(sorted({(g.dataset, g.item_id) for g in inputs.generations}), limit, seed))  # type: ignore[arg-type]
        inputs.generations = [g for g in inputs.generations if (g.dataset, g.item_id) in keep]
        labels = [j for j in labels if (j.dataset, j.item_id) in keep]
    return inputs, labels


def _pair_rows(pairs: str | None) -> list[dict[str, Any]]:
    from alignscope.analysis.dissection.released import load_sample_pairs
    from alignscope.data.io import read_jsonl

    if pairs == SAMPLE_PAIRS:
        return load_sample_pairs()
    path = Path(str(pairs))
    if not path.is_file():
        raise DataError("no such pairs file (JSONL in the original's format, or 'sample')", where=str(path))
    return list(read_jsonl(path))


def _pairs_version(pairs: str | None) -> str:
    from alignscope.hashing import text_hash

    if pairs == SAMPLE_PAIRS:
        return "preference-dissection-sample"
    return f"file-{text_hash(Path(str(pairs)).read_bytes().decode('utf-8', 'replace'), 12)}"


def _rate(rate: float | None) -> str:
    return "" if rate is None else f"{rate:.1%}"
