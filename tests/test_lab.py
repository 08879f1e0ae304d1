"""`iivkit lab DIR`: JupyterLab on the workflow notebooks, on 127.0.0.1, with DIR's workbook."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from iivkit.workbook.demo import build_demo


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_lab_serves_the_notebooks_on_localhost_with_the_folders_workbook(tmp_path: Path) -> None:
    folder = tmp_path / "work"
    folder.mkdir()
    build_demo(folder / "workbook.iiv").close()
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_TOKEN=token)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        env[name] = str(tmp_path / name.lower())
    env.pop("IIVKIT_WORKBOOK", None)
    cmd = [sys.executable, "-c", "from iivkit.cli import main; main()", "lab", str(folder)]
    proc = subprocess.Popen(
        [*cmd, "--no-browser", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        status = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                url = f"http://127.0.0.1:{port}/api/status?token={token}"
                with urllib.request.urlopen(url, timeout=2) as answer:
                    status = json.load(answer)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        assert status is not None, "JupyterLab did not answer on 127.0.0.1"
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/api/contents/notebooks?token={token}"
        ) as answer:
            listing = json.load(answer)
        names = {item["name"] for item in listing["content"]}
        assert {"01_research.ipynb", "02_prepare.ipynb", "03_debrief.ipynb", "05_track.ipynb"} <= names
        assert (folder / "notebooks" / "02_prepare.ipynb").is_file()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        output, _ = proc.communicate(timeout=30)
    assert "Notebooks will open" in output and "workbook.iiv" in output
    assert "0.0.0.0" not in output


def test_lab_refuses_a_folder_that_does_not_exist(tmp_path: Path, cli) -> None:
    result = cli("lab", tmp_path / "nowhere", "--no-browser")
    assert result.exit_code == 2
    assert "nowhere" in result.output and "no such folder" in result.output
