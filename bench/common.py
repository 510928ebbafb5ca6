"""Where the benchmark keeps its files, and how it speaks: shared by its modules."""

from __future__ import annotations

import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / "work"
#: Every database the benchmark creates or drops starts with this.
PREFIX = "ddp_bench_"


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)
