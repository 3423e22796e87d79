"""present/terminal.py: every printed line -- progress, live status, the rendered result, report files --
is escaped (control characters shown as \\x1b, never acting on the terminal) and redacted (URL userinfo,
token query parameters), while rich's own styling still reaches a real terminal."""

from __future__ import annotations

import io
import json

from tritonship.present.common import Outcome, write_reports
from tritonship.present.junit import JUnitCase
from tritonship.present.terminal import progress, safe_console, say, terminal_text

HOSTILE = "model m\x1b[2Jx\x1b]0;title\x07 from http://user:s3cr3t@h.example/x?token=s3cr3t2&sig=s3cr3t3"


def _clean(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
    assert "s3cr3t" not in text


def test_terminal_text_escapes_and_redacts():
    out = terminal_text(HOSTILE)
    _clean(out)
    assert "m\\x1b[2Jx" in out and "http://***@h.example/x?token=***&sig=***" in out


def test_progress_lines_are_escaped_and_quiet_prints_nothing(capsys):
    progress("  ")(HOSTILE)
    say(HOSTILE, "warning: ")
    progress(quiet=True)(HOSTILE)
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 2 and lines[0].startswith("  model m\\x1b[2Jx") and lines[1].startswith("warning: model")
    _clean(captured.err)


def test_the_rendering_console_escapes_user_text_but_keeps_its_own_colours():
    from rich.table import Table

    buffer = io.StringIO()
    console = safe_console(file=buffer, force_terminal=True, color_system="standard", width=200)
    console.print(f"[bold red]{'x'}[/] {HOSTILE}", markup=True)
    table = Table()
    table.add_column("name")
    table.add_row(HOSTILE)
    console.print(table)
    out = buffer.getvalue()
    assert "\x1b[1;31m" in out  # rich's own style still reaches the terminal
    user = out.replace("\x1b[1;31m", "").replace("\x1b[0m", "")
    _clean(user.replace("\x1b[1m", ""))
    assert out.count("m\\x1b[2Jx") == 2


def test_the_live_status_line_is_escaped():
    from rich.text import Text

    buffer = io.StringIO()
    console = safe_console(file=buffer, force_terminal=True, color_system=None, width=200)
    with console.status("perf: warming up") as status:
        status.update(Text(terminal_text(HOSTILE)))
        console.print("done")  # forces a refresh
    out = buffer.getvalue()
    assert "m\\x1b[2Jx" in out
    assert "\x1b[2J" not in out and "s3cr3t" not in out  # rich's cursor control codes are not the user's ESC


def test_report_files_made_from_raw_results_are_escaped_and_redacted(tmp_path):
    outcome = Outcome("smoke", "failed", 1, {"reason": HOSTILE},
                      junit=[JUnitCase(HOSTILE, "smoke", failure=HOSTILE)],
                      html=f"<p>{HOSTILE.replace('&', '&amp;')}</p>", files={"notes.txt": HOSTILE})
    from tritonship.urls import redact_tree

    write_reports(tmp_path, redact_tree(outcome.document()), outcome)
    for name in ("junit.xml", "report.html", "notes.txt", "result.json"):
        _clean((tmp_path / name).read_text())
    assert json.loads((tmp_path / "result.json").read_text())["reason"].startswith("model m\x1b[2Jx")
    from xml.etree import ElementTree

    ElementTree.parse(tmp_path / "junit.xml")  # well-formed: no control character left in it
