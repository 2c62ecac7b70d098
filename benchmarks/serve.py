"""Benchmark `handbook serve`: seconds from saving program.yaml to the browser being told to reload.

    python benchmarks/serve.py [--edits 5]

Starts a preview of a copy of the example on 127.0.0.1, long-polls as the open page does, edits
program.yaml, and times until the new version is announced. Target: under 1 s. Background PDF
builds are on, as in real use. The last line is `median save-to-reload: X s`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from handbook.commands.serve import Preview  # noqa: E402


def version(url: str, seen: int | None = None) -> int:
    query = "" if seen is None else str(seen)
    with urllib.request.urlopen(f"{url}__handbook/wait?v={query}", timeout=60) as response:
        return json.loads(response.read())["v"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        project = Path(work) / "project"
        project.mkdir()
        for name in ("program.yaml", "cohort.yaml", "mkdocs.yml", "content"):
            source = ROOT / name
            (shutil.copytree if source.is_dir() else shutil.copy2)(source, project / name)
        preview = Preview(project, 0, lambda message: None, interval=0.1)
        preview.start()
        times = []
        try:
            program = project / "program.yaml"
            for minutes in range(61, 61 + args.edits):
                seen = version(preview.url)
                announced: list[float] = []
                poll = threading.Thread(target=lambda: (version(preview.url, seen),
                                                        announced.append(time.perf_counter())))
                poll.start()
                time.sleep(0.2)
                text = program.read_text(encoding="utf-8")
                saved = time.perf_counter()
                program.write_text(text.replace(f"length_minutes: {minutes - 1}", f"length_minutes: {minutes}"),
                                   encoding="utf-8")
                poll.join()
                times.append(announced[0] - saved)
                print(f"edit {minutes - 60}: {times[-1]:.2f} s", flush=True)
                time.sleep(1.5)  # let the background PDF build start, as between real saves
        finally:
            preview.stop()
    print(f"median save-to-reload: {statistics.median(times):.2f} s")


if __name__ == "__main__":
    main()
