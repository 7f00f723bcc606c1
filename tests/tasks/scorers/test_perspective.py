"""Toxicity through the Perspective API, against a local server that speaks its ``comments:analyze`` protocol:
the request body, the key sent but never stored or logged, retries on 429, one-line errors on 403, bad JSON,
a missing key and retries that run out; the calls go through the run's engine (retries honouring Retry-After,
the call cache)."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from alignscope.engine import Engine
from alignscope.errors import BackendError, ConfigError
from alignscope.records import Item, Message
from alignscope.store import RunStore
from alignscope.tasks.scorers import get_scorer, parse_scorer_options
from alignscope.tasks.scorers.base import ScorerSetup
from alignscope.tasks.scorers.perspective import MAX_RETRIES

KEY = "test-key-5f3a9c"


@dataclass
class Perspective:
    """A local comments:analyze endpoint: answers ``scripted`` (status, body) first, then the text's score
    from ``scores``; records every request's query and body. A 429 carries ``retry_after``; each answer
    waits ``latency_s``, and ``most_in_flight`` is the most requests it had at once."""

    url: str = ""
    retry_after: str = "0"
    latency_s: float = 0.0
    in_flight: int = 0
    most_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    scores: dict[str, float] = field(default_factory=dict)
    scripted: list[tuple[int, str]] = field(default_factory=list)
    requests: list[tuple[dict[str, list[str]], dict]] = field(default_factory=list)


@pytest.fixture
def perspective(monkeypatch: pytest.MonkeyPatch) -> Iterator[Perspective]:
    state = Perspective()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            parsed = urlparse(self.path)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with state.lock:
                state.requests.append((parse_qs(parsed.query), body))
                state.in_flight += 1
                state.most_in_flight = max(state.most_in_flight, state.in_flight)
            time.sleep(state.latency_s)
            with state.lock:
                state.in_flight -= 1
            if parsed.path != "/v1alpha1/comments:analyze":
                status, text = 404, "{}"
            elif state.scripted:
                status, text = state.scripted.pop(0)
            else:
                value = state.scores[body["comment"]["text"]]
                status = 200
                text = json.dumps(
                    {
                        "attributeScores": {
                            "TOXICITY": {"summaryScore": {"value": value, "type": "PROBABILITY"}}
                        }
                    }
                )
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if status == 429:
                self.send_header("Retry-After", state.retry_after)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1alpha1/comments:analyze"
    monkeypatch.setenv("PERSPECTIVE_API_KEY", KEY)
    yield state
    server.shutdown()
    server.server_close()


def _items(n: int) -> list[Item]:
    return [Item(id=f"p{i}", dataset="t", messages=[Message(role="user", content="Say")]) for i in range(n)]


def test_scores_come_from_the_api_and_the_key_is_sent_but_never_kept(
    perspective: Perspective, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")  # other libraries in the session may quiet httpx
    perspective.scores = {"you are lovely": 0.02, "you idiot": 0.91}
    options = parse_scorer_options([f"toxicity:model=perspective,url={perspective.url}"])
    scorer = get_scorer("toxicity", **options["toxicity"])
    results = scorer.score_many(_items(3), ["you are lovely", "you idiot", "  "])
    assert [r["toxicity"] for r in results] == [0.02, 0.91, 0.0]
    assert [r["toxic"] for r in results] == [False, True, False]
    assert {r["model"] for r in results} == {"perspective"}
    assert len(perspective.requests) == 2  # the empty answer is not sent
    query, body = perspective.requests[1]
    assert query == {"key": [KEY]}
    assert body == {
        "comment": {"text": "you idiot"},
        "requestedAttributes": {"TOXICITY": {}},
        "languages": ["en"],
        "doNotStore": True,
    }
    assert scorer.aggregate(results)["toxicity_probability"] == pytest.approx(1 / 3)
    kept = json.dumps([results, options, vars(scorer)], default=str)
    assert KEY not in kept and KEY not in caplog.text
    assert "key=***" in caplog.text  # httpx's request line, masked


def test_scores_are_cached_in_the_run_store_as_they_arrive(perspective: Perspective, tmp_path: Path) -> None:
    """A run that fails after one score keeps it; the rerun asks only for the rest, a third asks nothing."""
    perspective.scores = {"a": 0.1, "b": 0.7, "c": 0.3}
    first = {"attributeScores": {"TOXICITY": {"summaryScore": {"value": 0.1}}}}
    perspective.scripted = [(200, json.dumps(first)), (403, "{}")]  # "a" is scored, then "b" fails
    engine = Engine(RunStore(tmp_path), "tox", progress=False)
    scorer = get_scorer("toxicity", model="perspective", url=perspective.url)
    assert scorer.calls_models
    with pytest.raises(BackendError, match="HTTP 403"):
        scorer.bind(ScorerSetup(engine=engine)).score_many(_items(3), ["a", "b", "c"])
    assert len(perspective.requests) == 2
    results = scorer.score_many(_items(3), ["a", "b", "c"])
    assert [r["toxicity"] for r in results] == [0.1, 0.7, 0.3]
    assert [body["comment"]["text"] for _, body in perspective.requests[2:]] == ["b", "c"]
    again = get_scorer("toxicity", model="perspective", url=perspective.url).bind(ScorerSetup(engine=engine))
    assert [r["toxicity"] for r in again.score_many(_items(3), ["a", "b", "c"])] == [0.1, 0.7, 0.3]
    assert len(perspective.requests) == 4
    assert all(KEY.encode() not in f.read_bytes() for f in tmp_path.iterdir() if f.is_file())


def test_rate_limits_are_retried(perspective: Perspective) -> None:
    perspective.scores = {"hello": 0.1}
    perspective.scripted = [(503, "{}"), (429, '{"error": {"message": "quota"}}'), (429, "{}")]
    scorer = get_scorer("toxicity", model="perspective", url=perspective.url)
    assert scorer.score(_items(1)[0], "hello")["toxicity"] == 0.1
    assert len(perspective.requests) == 4


def test_the_engine_retries_429_after_its_retry_after_and_500_and_a_rerun_sends_nothing(
    perspective: Perspective, tmp_path: Path
) -> None:
    perspective.scores = {"a": 0.2, "b": 0.8}
    perspective.scripted = [(429, "{}"), (500, "{}")]
    perspective.retry_after = "0.6"
    engine = Engine(RunStore(tmp_path), "tox", base_delay_s=0.0, progress=False)
    scorer = get_scorer("toxicity", model="perspective", url=perspective.url).bind(ScorerSetup(engine=engine))
    assert [r["toxicity"] for r in scorer.score_many(_items(2), ["a", "b"])] == [0.2, 0.8]
    assert len(perspective.requests) == 4  # "a" three times (429, 500, 200), then "b"
    assert engine.stats.retries == 2 and engine.stats.calls_made == 2 and engine.stats.failures == 0
    assert engine.stats.wall_s >= 0.6  # waited the server's Retry-After, not the zero base delay
    rerun = Engine(RunStore(tmp_path), "tox-again", progress=False)
    again = get_scorer("toxicity", model="perspective", url=perspective.url).bind(ScorerSetup(engine=rerun))
    assert [r["toxicity"] for r in again.score_many(_items(2), ["a", "b"])] == [0.2, 0.8]
    assert len(perspective.requests) == 4
    assert rerun.stats.calls_made == 0 and rerun.stats.cache_hits == 2


@pytest.mark.parametrize(
    ("scripted", "message"),
    [
        (
            [(403, json.dumps({"error": {"message": f"API key {KEY} not valid"}}))],
            "refused the request: HTTP 403",
        ),
        ([(200, "<html>oops</html>")], "no attributeScores.TOXICITY.summaryScore.value"),
        ([(200, '{"attributeScores": {}}')], "no attributeScores.TOXICITY.summaryScore.value"),
        ([(429, "{}")] * (MAX_RETRIES + 1), f"still failing after {MAX_RETRIES + 1} attempts: HTTP 429"),
    ],
)
def test_failures_are_one_line_errors_without_the_key(
    perspective: Perspective, scripted: list[tuple[int, str]], message: str
) -> None:
    perspective.scripted = list(scripted)
    scorer = get_scorer("toxicity", model="perspective", url=perspective.url)
    with pytest.raises(BackendError, match=message) as err:
        scorer.score(_items(1)[0], "hello")
    assert KEY not in str(err.value) and "\n" not in str(err.value)
    assert len(perspective.requests) == len(scripted)


def test_a_larger_quota_lets_the_engine_send_texts_concurrently(perspective: Perspective) -> None:
    texts = [f"text {i}" for i in range(12)]
    perspective.scores = {text: i / 20 for i, text in enumerate(texts)}
    perspective.latency_s = 0.05
    scorer = get_scorer("toxicity", model="perspective", url=perspective.url, max_concurrency=4)
    assert [r["toxicity"] for r in scorer.score_many(_items(12), texts)] == [i / 20 for i in range(12)]
    assert sorted(body["comment"]["text"] for _, body in perspective.requests) == sorted(texts)
    assert 2 <= perspective.most_in_flight <= 4  # the engine's limit climbed from 1, up to the quota
    with pytest.raises(ConfigError, match="max_concurrency must be a positive integer"):
        get_scorer("toxicity", model="perspective", url=perspective.url, max_concurrency=0)


def test_missing_key_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MY_PERSPECTIVE_KEY", raising=False)
    with pytest.raises(ConfigError, match="needs an API key in the environment variable MY_PERSPECTIVE_KEY"):
        parse_scorer_options(["toxicity:model=perspective,api_key_env=MY_PERSPECTIVE_KEY"])
