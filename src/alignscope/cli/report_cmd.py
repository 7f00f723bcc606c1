"""``alignscope report RUN`` rebuilds a stored run's report from its stored artifacts; ``alignscope view RUN``
serves it on 127.0.0.1 only."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Annotated

import typer

from alignscope.api.runs import report_folder
from alignscope.cli import options as opt
from alignscope.cli.common import console, emit_json, open_store, out_console
from alignscope.errors import UserError
from alignscope.report.outputs import stored_report

LOCALHOST = "127.0.0.1"
RunArg = Annotated[str, typer.Argument(help="Run id (see `alignscope runs list`).")]


def report(
    run: RunArg,
    out: opt.ReportOut = None,
    workspace: opt.Workspace = None,
    json_out: opt.Json = False,
) -> None:
    """Rebuild the HTML report (and its JSON and Parquet tables) of a stored run (audit, bench, train)."""
    from alignscope.report.outputs import write_report_files

    store = open_store(workspace)
    rebuilt = stored_report(store, run)
    outputs = write_report_files(rebuilt, report_folder(run, out))
    console(json_out).print(f"report: {outputs['html']}")
    if json_out:
        emit_json({"run_id": run, "outputs": outputs})


def report_server(html: str, port: int) -> ThreadingHTTPServer:
    """An HTTP server bound to 127.0.0.1:``port`` (0 = any free port) answering GET / with ``html``."""
    body = html.encode("utf-8")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            if self.path.split("?")[0] not in ("/", "/report.html"):
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the http.server API
            return

    try:
        return ThreadingHTTPServer((LOCALHOST, port), Handler)
    except OSError as exc:
        raise UserError(f"cannot serve on {LOCALHOST}:{port} ({exc.strerror}); try another --port") from None


def view(
    run: RunArg,
    port: Annotated[int, typer.Option("--port", "-p", help="Port on 127.0.0.1 (0: any free port).")] = 8765,
    workspace: opt.Workspace = None,
) -> None:
    """Serve a stored run's report on http://127.0.0.1:PORT/ (local only) until interrupted."""
    from alignscope.report.html import render_html

    if not 0 <= port <= 65535:
        raise UserError(f"--port must be between 0 and 65535, got {port}")
    server = report_server(render_html(stored_report(open_store(workspace), run)), port)
    host, bound = server.server_address[:2]
    out_console.print(f"serving the report of {run} on http://{host}:{bound}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
