"""``alignscope audit`` end to end on the embedded model (reduced --limit, same code path), ``report``,
``view`` and ``correlate``; the reports opened in headless Chromium."""

from __future__ import annotations

import contextlib
import io
import json
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from browser import open_report

from alignscope.auditing.default import VARIANTS
from alignscope.cli.main import main
from alignscope.cli.report_cmd import report_server
from alignscope.report.html import render_html
from alignscope.report.model import Plot, Report
from alignscope.store import RunStore

AUDIT_ARGS = ["audit", "--limit", "1", "--max-tokens", "16", "--seed", "0"]  # ~2.5 CPU-minutes
SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=2">'


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run ``alignscope ARGS`` in-process: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["alignscope", *args]
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = argv
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def audit(tmp_path_factory):
    """The default audit with --limit 1 and short answers, run once for this module."""
    root = tmp_path_factory.mktemp("audit")
    out, workspace = root / "out", root / "ws"
    code, stdout, stderr = run_cli(*AUDIT_ARGS, "--out", str(out), "-w", str(workspace), "--json")
    assert code == 0, stderr[-3000:]
    return {"out": out, "workspace": workspace, "summary": json.loads(stdout), "root": root}


def test_default_audit_writes_html_json_and_a_parquet_per_table(audit):
    out, summary = audit["out"], audit["summary"]
    results = json.loads((out / "results.json").read_text())
    report = Report.model_validate_json((out / "report.json").read_text())
    assert summary["outputs"]["html"] == str(out / "report.html") and (out / "report.html").is_file()
    assert len(list((out / "tables").glob("*.parquet"))) == len(report.tables())
    factors = pd.read_parquet(out / "tables" / "live_factor_scores.parquet")
    assert set(factors["model"]) == set(VARIANTS)
    assert set(factors["factor"]) == {"world knowledge", "instruction following", "safety"}
    assert ((factors["score"] >= 0) & (factors["score"] <= 1)).all()
    assert {"generations.parquet", "judgments.parquet", "scores.parquet"} <= {
        p.name for p in (out / "records").iterdir()
    }
    judge = results["live"]["judges"][0]
    assert judge["audit"]["parse_failures"] == 0  # logprob verdicts never fail to parse
    assert judge["audit"]["verdicts"] == 2 * (len(VARIANTS) - 1)  # 1 prompt, both orders, 4 judged models
    assert judge["provenance"]["template_hash"] and judge["provenance"]["verdict"] == "logprob"
    assert results["published"]["sos_bench"]["verdicts"][0].startswith("arena_hard tracks world knowledge")
    stages = [s["stage"] for s in summary["stage_timings"]]
    for stage in (
        "load models",
        "answers to judge prompts",
        "concrete suites",
        "meta-analysis",
        "published analyses",
    ):
        assert stage in stages
    assert all(s["wall_s"] >= 0 for s in summary["stage_timings"])


def test_report_marks_live_and_published_sections_and_shows_judge_provenance(audit):
    report = Report.model_validate_json((audit["out"] / "report.json").read_text())
    origins = {s.id: s.origin for s in report.sections}
    assert origins["live-meta"] == "live" and origins["live-factors"] == "live"
    assert origins["published-sos-bench"] == "published" and origins["published-dissection"] == "published"
    judge_sections = [s for s in report.sections if s.id.startswith("live-judge-")]
    assert len(judge_sections) == 1 and judge_sections[0].blocks[0].kind == "judge"
    meta = next(s for s in report.sections if s.id == "live-meta")
    assert meta.blocks[0].kind == "judge"  # the judge behind the live meta-analysis is named there too


def test_audit_report_opens_in_chromium_with_every_plot_and_no_errors(audit):
    report = Report.model_validate_json((audit["out"] / "report.json").read_text())
    shot = audit["root"] / "audit.png"
    seen = open_report(audit["out"] / "report.html", screenshot=shot)
    assert seen.errors == []
    expected = [b.name for s in report.sections for b in s.blocks if isinstance(b, Plot)]
    assert len(expected) >= 10 and seen.plot_names == expected and seen.plots_with_svg == len(expected)
    assert seen.script_elements == 0 and seen.xss is None
    assert "LIVE: computed in this run" in seen.text and "PUBLISHED DATA: no model was called" in seen.text
    verdicts = [v["verdict"] for v in audit["summary"]["verdicts"]]
    assert any(": yes at 95%" in v or ": no at 95%" in v for v in verdicts)
    assert all(v in seen.text for v in verdicts)  # every plain-language verdict is shown in the report
    assert shot.stat().st_size > 10_000


def test_rerunning_the_audit_resumes_from_the_cache(audit):
    out = audit["root"] / "again"
    code, stdout, stderr = run_cli(*AUDIT_ARGS, "--out", str(out), "-w", str(audit["workspace"]), "--json")
    assert code == 0, stderr[-2000:]
    again = json.loads(stdout)
    assert again["run_id"] == audit["summary"]["run_id"]
    assert again["calls"]["calls_made"] == 0 and again["calls"]["cache_hits"] > 0


def test_the_python_api_runs_the_same_audit(audit):
    """``alignscope.auditing`` with the command's options is the same run: every call from the cache, and the
    command's ``--json`` summary apart from where the outputs went and the timings."""
    import alignscope

    out = audit["root"] / "api"
    result = alignscope.audit(limit=1, max_tokens=16, seed=0, out=out, workspace=audit["workspace"])
    assert result.calls["calls_made"] == 0 and result.calls["cache_hits"] > 0
    varying = {"out", "outputs", "calls", "stage_timings", "total_wall_s", "workspace"}
    shown = {k: v for k, v in audit["summary"].items() if k not in varying}
    assert {k: v for k, v in result.to_dict().items() if k not in varying} == shown
    assert list(result.verdicts["verdict"]) == [v["verdict"] for v in audit["summary"]["verdicts"]]
    assert Path(result.outputs["html"]).is_file() and result.report is not None


def test_report_command_rebuilds_the_stored_report(audit):
    run_id = audit["summary"]["run_id"]
    rebuilt = audit["root"] / "rebuilt"
    code, _, stderr = run_cli("report", run_id, "-w", str(audit["workspace"]), "--out", str(rebuilt))
    assert code == 0, stderr
    html = (rebuilt / "report.html").read_text()
    store = RunStore(audit["workspace"])
    written = Path(store.get_artifact(run_id, "results")["outputs"]["html"])
    assert html == written.read_text()  # the report the run wrote, rebuilt from stored artifacts only
    stored = Report.model_validate(store.get_artifact(run_id, "report"))
    assert html == render_html(stored)
    assert len(list((rebuilt / "tables").glob("*.parquet"))) == len(stored.tables())


def test_report_of_unknown_or_non_audit_runs_fails_in_one_line(tmp_path):
    store = RunStore(tmp_path)
    store.start_run("gen-1", "generate", {})
    for run in ("nope", "gen-1"):
        code, _, err = run_cli("report", run, "-w", str(tmp_path))
        assert code == 2 and err.count("\n") == 1 and err.startswith("alignscope: error:")
    assert "runs of `alignscope audit`, `bench` and `train meta-rewarding` store one" in err


def test_view_serves_the_report_on_localhost_only():
    server = report_server("<html><body>hello report</body></html>", 0)
    host, port = server.server_address[:2]
    assert host == "127.0.0.1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert response.status == 200 and b"hello report" in response.read()
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/etc/passwd", timeout=10)
        assert missing.value.code == 404
    finally:
        server.shutdown()
        server.server_close()


def _scores_csv(path: Path) -> Path:
    knowledge = [0.1, 0.2, 0.35, 0.4, 0.5, 0.65, 0.7, 0.9]
    frame = pd.DataFrame(
        {
            "model": ["m1", "m2", "m3", f"evil{SCRIPT}", "m5", IMG, "m7", "m8"],
            "judge:arena": [10 + 50 * k for k in knowledge],
            "judge_mt": [8, 3, 6, 1, 7, 2, 5, 4],
            "knowledge": knowledge,
            "safety": [0.9, 0.1, 0.5, 0.3, 0.7, 0.2, 0.8, 0.4],
        }
    )
    frame.to_csv(path, index=False)
    return path


def test_correlate_cli_gives_verdicts_plots_and_an_inert_report(tmp_path):
    table = _scores_csv(tmp_path / "scores.csv")
    out = tmp_path / "corr"
    code, stdout, stderr = run_cli("correlate", str(table), "--out", str(out), "--n-boot", "500", "--json")
    assert code == 0, stderr
    result = json.loads(stdout)
    assert result["judges"] == ["judge:arena", "judge_mt"] and result["concrete"] == ["knowledge", "safety"]
    assert result["verdicts"][0].startswith("judge:arena tracks knowledge: yes at 95%")
    assert (out / "results.json").is_file() and (out / "tables" / "correlate_correlations.parquet").is_file()
    seen = open_report(out / "report.html")
    assert seen.errors == [] and seen.xss is None and seen.script_elements == 0 and seen.img_elements == 0
    assert seen.plot_names == ["correlate_heatmap"] + [
        f"correlate_scatter_{j}_{c}" for j in ("judge_arena", "judge_mt") for c in ("knowledge", "safety")
    ]
    assert "YOUR DATA" in seen.text


def test_correlate_cli_rejects_a_bad_table_in_one_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("model,judge:x,knowledge\na,1,2\nb,oops,3\nc,2,1\n", encoding="utf-8")
    code, _, err = run_cli("correlate", str(bad), "--out", str(tmp_path / "o"))
    assert code == 2 and err.count("\n") == 1 and "'oops' is not a number" in err


def test_audit_with_a_missing_config_fails_in_one_line(tmp_path):
    code, _, err = run_cli("audit", str(tmp_path / "missing.yaml"), "--out", str(tmp_path / "o"))
    assert code == 2 and err.count("\n") == 1 and "file not found" in err
