"""atheris harness: fuzzed bytes as persons.parquet through import_extract (see harness.py).

Run through tests/fuzz/run.py (``make fuzz``), or directly with libFuzzer flags:
``.venv/bin/python tests/fuzz/fuzz_parquet.py -max_total_time=60 CORPUS_DIR``.
"""

import os
import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("BROEN_MEMORY_LIMIT", "1GB")  # DuckDB's, per import
with atheris.instrument_imports(include=["broen"]):
    from tests.fuzz.harness import parquet_one_input


def main() -> None:
    atheris.Setup(sys.argv, parquet_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
