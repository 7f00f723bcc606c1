"""SOS-Bench's multi-criteria judge end to end on the embedded model: two system-prompt variants of SmolLM2
answer N MT-Bench prompts (first turn), SmolLM2 judges each pair in both orders in mode ``criteria-split``
(logprob verdicts), and the judge audit reports each criterion's weight in the overall verdict (cluster-robust
CIs) and its per-model correlation with the overall verdict. Prints JSON and the wall time.

    OMP_NUM_THREADS=1 python benchmarks/bench_criteria_judge.py [--prompts 6] [--max-tokens 64]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from alignscope.analysis.judge_checks import criteria_check
from alignscope.analysis.judgment_tables import stored_tables
from alignscope.backends.registry import make_backend
from alignscope.config import ModelSpec
from alignscope.data import load_items
from alignscope.engine.generation import generate_items
from alignscope.engine.runner import Engine
from alignscope.judges.config import JudgeSpec
from alignscope.judges.run import JudgeInputs, run_judge
from alignscope.records import SamplingParams
from alignscope.store import RunStore

VARIANTS = {"smol": None, "smol-terse": "Answer in one short sentence."}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prompts", type=int, default=6)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--workspace", type=Path, default=None)
    args = parser.parse_args()
    start = time.time()
    store = RunStore(args.workspace or Path(tempfile.mkdtemp()))
    store.start_run("criteria", "bench", {})
    engine = Engine(store, "criteria", progress=False)
    items = [it.model_copy(update={"turns": []}) for it in load_items("mt_bench", limit=args.prompts, seed=0)]
    gens = []
    for name, system in VARIANTS.items():
        spec = ModelSpec(name=name, backend="hf", model="smollm2-135m", system_prompt=system, batch_size=8)
        sampling = SamplingParams(max_tokens=args.max_tokens)
        gens += generate_items(engine, make_backend(spec), spec, items, sampling)
    backend = make_backend(ModelSpec(name="judge", backend="hf", model="smollm2-135m", batch_size=8))
    judge = JudgeSpec(model=ModelSpec.parse("hf:smollm2-135m"), mode="criteria-split", verdict="logprob")
    judgments = run_judge(engine, backend, judge, JudgeInputs.of(items, gens), baseline="smol")
    result = criteria_check(stored_tables(store, "criteria"))
    out = {
        "prompts": len(items),
        "judgments": len(judgments),
        "failed": sum(j.parse_status == "failed" for j in judgments),
        "calls": engine.stats.as_dict(),
        "wall_s": round(time.time() - start, 1),
        **result,
    }
    print(json.dumps(out, indent=2, default=str))


if __name__ == "__main__":
    main()
