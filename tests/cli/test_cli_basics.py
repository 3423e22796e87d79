"""The CLI's global contract: help, version, global options anywhere, exit codes, no traceback."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_help_lists_every_verb(run_cli):
    from tritonship.cli import VERBS

    result = run_cli("--help")
    assert result.exit_code == 0
    for verb in VERBS:
        assert verb in result.stdout


def test_help_imports_no_heavy_library():
    code = (
        "import sys\n"
        "from tritonship.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('tritonclient', 'numpy', 'grpc', 'kubernetes', 'docker', 'pydantic', 'rich')"
        " if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert "HEAVY=\n" in out.stdout, out.stdout


def test_version(run_cli):
    from tritonship import __version__

    result = run_cli("--version")
    assert result.exit_code == 0
    assert __version__ in result.stdout


def test_unknown_verb_is_usage_error_with_suggestion(run_cli):
    result = run_cli("valdate")
    assert result.exit_code == 2
    assert "validate" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_input_error_names_the_verb_in_result_json(run_cli, tmp_path):
    import json

    result = run_cli("validate", str(tmp_path / "missing"), "--report-dir", str(tmp_path / "r"))
    assert result.exit_code == 2
    doc = json.loads((tmp_path / "r" / "result.json").read_text())
    assert doc["verb"] == "validate"
    assert doc["status"] == "error"
    assert doc["exit_code"] == 2
    assert "Traceback" not in result.stderr
