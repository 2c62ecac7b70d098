"""The command line as a coordinator meets it: quiet builds, no colour codes in logs, clear usage errors."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from conftest import run_cli


def test_quiet_build_prints_nothing(small_project: Path) -> None:
    result = run_cli("build", "--quiet", "--project", small_project)
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == ""


def test_output_has_no_colour_codes_under_no_color_or_when_piped(small_project: Path) -> None:
    program = small_project / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace("hours: 2", "hours: two"), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "handbook", "check", "--standards", "--project", str(small_project)],
                          capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, check=False)
    assert done.returncode == 2
    assert "\x1b[" not in done.stdout + done.stderr
    assert "expected a number, got 'two'" in done.stderr


def test_serve_names_a_port_that_is_taken(small_project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port), "--project", small_project)
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "--port 0" in result.stderr


def test_check_refuses_a_source_date_that_build_refuses(small_project: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "last tuesday")
    for command in ("check", "build"):
        result = run_cli(command, "--project", small_project)
        assert result.exit_code == 2, command
        assert result.stderr.startswith("SOURCE_DATE_EPOCH: expected whole seconds since 1970, got 'last tuesday'")
    assert not (small_project / "build").exists()
