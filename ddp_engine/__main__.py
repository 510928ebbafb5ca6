"""``ddp`` (and ``python -m ddp_engine``): password flags leave the process title first.

Importing the CLI (click, pydantic) takes a good part of a second; the title is rewritten
before that, so that ``ps`` shows a password for as short a time as the interpreter allows.
"""

from __future__ import annotations

import sys

from ddp_engine.proctitle import hide_passwords


def main() -> None:
    hide_passwords(sys.argv)
    from ddp_engine.cli import run

    run()


if __name__ == "__main__":
    main()
