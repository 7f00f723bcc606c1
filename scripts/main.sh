#!/usr/bin/env bash
# Installs everything (scripts/setup.sh) and runs the main job: `alignscope audit` with the embedded default
# (SmolLM2-135M-Instruct as five system-prompt variants, judged and benchmarked live, plus the published
# meta-analyses). Under 15 minutes on 2 CPU cores; the report lands in alignscope-audit/report.html.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
# One torch thread per process: on shared cores two spinning threads made the audit's generation ~4x slower
# (measured); on a 135M model a second thread gains little. Override by setting OMP_NUM_THREADS.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
exec .venv/bin/alignscope audit "$@"
