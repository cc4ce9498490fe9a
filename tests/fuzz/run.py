"""Run the fuzz harnesses for a bounded time and summarise what libFuzzer reports.

    .venv/bin/python tests/fuzz/run.py --seconds 300            # each harness 300 s
    .venv/bin/python tests/fuzz/run.py --harness csv --seconds 60 --out /tmp/broen-fuzz

Corpora, crash inputs and logs go under --out (default: a new directory in the system's temp
directory), never into the repository. The exit status is 1 if a harness found a crash; its input
is saved as ``<out>/<harness>/crash-*`` and can be replayed with
``.venv/bin/python tests/fuzz/fuzz_<harness>.py <out>/<harness>/crash-...``. ``--ignore NAME``
looks past a known, still open crash (harness.KNOWN_CRASHES) to find others.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.fuzz.seeds import csv_seeds, parquet_seeds, write_corpus  # noqa: E402

HARNESSES = {"csv": csv_seeds, "parquet": parquet_seeds}


def run(name: str, seconds: int, out: Path, jobs_rss_mb: int, ignore: str) -> dict[str, str]:
    work = out / name
    corpus = write_corpus(work / "corpus", HARNESSES[name]())
    log = work / "fuzz.log"
    command = [
        sys.executable,
        str(ROOT / "tests" / "fuzz" / f"fuzz_{name}.py"),
        f"-max_total_time={seconds}",
        f"-artifact_prefix={work}/",
        f"-rss_limit_mb={jobs_rss_mb}",
        "-max_len=65536",
        "-timeout=60",
        "-print_final_stats=1",
        str(corpus),
    ]
    started = time.monotonic()
    env = {**os.environ, "BROEN_FUZZ_IGNORE": ignore}
    with log.open("w") as fh:
        result = subprocess.run(command, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
    text = log.read_text(errors="replace")
    summary = {
        "harness": name,
        "ignored": ignore or "nothing",
        "seconds": f"{time.monotonic() - started:.0f}",
        "exit": str(result.returncode),
        "executions": _last(r"stat::number_of_executed_units:\s+(\d+)", text),
        "exec/s": _last(r"stat::average_exec_per_sec:\s+(\d+)", text),
        "coverage (cov)": _last(r"cov: (\d+)", text),
        "features (ft)": _last(r"ft: (\d+)", text),
        "corpus": _last(r"corp: (\d+/\S+)", text),
        "crashes": ", ".join(str(p) for p in sorted(work.glob("crash-*"))) or "none",
        "log": str(log),
    }
    return summary


def _last(pattern: str, text: str) -> str:
    found = re.findall(pattern, text)
    return found[-1] if found else "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=300, help="per harness (default 300)")
    parser.add_argument("--harness", choices=[*HARNESSES, "all"], default="all")
    parser.add_argument("--out", type=Path, help="work directory (default: a new temp dir)")
    parser.add_argument("--rss-limit-mb", type=int, default=4096)
    parser.add_argument(
        "--ignore", default="", help="known crashes to look past: names in harness.KNOWN_CRASHES"
    )
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="broen-fuzz-"))
    names = list(HARNESSES) if args.harness == "all" else [args.harness]
    found = False
    for name in names:
        summary = run(name, args.seconds, out, args.rss_limit_mb, args.ignore)
        print(" ".join(f"{k}={v}" for k, v in summary.items()), flush=True)
        found = found or summary["crashes"] != "none" or summary["exit"] != "0"
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
