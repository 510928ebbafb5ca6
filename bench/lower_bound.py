#!/usr/bin/env python3
"""The lower bound of any introspecting tool: the fewest bulk catalog queries that fetch what a
schema diff needs, on both sides at once, and nothing else.

    python bench/lower_bound.py --source-database A --target-database B
                                [--source-schema S --target-schema T | --all-schemas]
                                [--host H --port P --username U]

One process, one thread and one connection per side (psycopg 3), both sides in parallel. Each
session first sets ``search_path`` to '' and reads in one ``REPEATABLE READ READ ONLY``
transaction with statement and lock timeouts, like DDP's own sessions. Then one query per object
class (schemas, relations, view texts, columns, constraints, indexes, functions,
triggers, types, sequences, policies, dependencies), the text of each object made by the server's
own deparsers (``pg_get_indexdef``, ``pg_get_constraintdef``, ``pg_get_viewdef``,
``pg_get_functiondef``, ``pg_get_triggerdef``, ``pg_get_expr``, ``format_type``), every row
fetched as a tuple: no per-object query, no model, no diff. Prints one JSON object: wall seconds,
and per side the seconds, queries and rows. A password comes from PGPASSWORD / .pgpass.

The queries below are FROZEN. They are written apart from ``ddp_engine/queries/`` on purpose and
must not be changed to follow them: DDP is measured against this bound, so the bound must not
move when DDP's queries get slower or faster. Change them only to fetch a fact that any diff
needs and that they miss, and say so in bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time

import psycopg

#: The transaction every side reads in, and the settings it reads under (no JIT compile of the
#: big catalog joins, no parallel workers on a shared 2-core machine, sorts and hashes in memory).
BEGIN = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
SETTINGS = {
    "jit": "off",
    "max_parallel_workers_per_gather": "0",
    "work_mem": "64MB",
    "statement_timeout": "600s",
    "lock_timeout": "10s",
}


def comment(oid: str, catalog: str, subid: str | None = None) -> str:
    """The join that brings the comment on the object ``oid`` of ``catalog`` as
    ``d.description`` (``subid``: the column, for pg_class, where 0 is the relation itself)."""
    sql = (
        "  LEFT JOIN pg_catalog.pg_description d\n"
        f"    ON d.objoid OPERATOR(pg_catalog.=) {oid}\n"
        f"   AND d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.{catalog}'::pg_catalog.regclass"
    )
    return sql + (f"\n   AND d.objsubid OPERATOR(pg_catalog.=) {subid}" if subid else "")


#: The schemas compared: named ones, or every schema that is not the system's.
SCHEMAS = f"""
SELECT n.oid, n.nspname, pg_catalog.pg_get_userbyid(n.nspowner), n.nspacl, d.description
  FROM pg_catalog.pg_namespace n
{comment("n.oid", "pg_namespace")}
 WHERE CASE WHEN %(all)s
            THEN n.nspname OPERATOR(pg_catalog.!~) '^pg_'
                 AND n.nspname OPERATOR(pg_catalog.<>) 'information_schema'
            ELSE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s::pg_catalog.text[]) END
"""

#: Every query after SCHEMAS takes the schemas' oids as %(nsp)s.
#:
#: ``pg_get_expr`` is given no relation where the expression names no column (defaults that are
#: not generated columns, partition bounds): with a relation it opens it and lists all its
#: columns on every call, which costs ~0.5 ms a default on a 200-column table; the text is the
#: same either way.
QUERIES = {
    "relations": f"""
SELECT c.oid, c.relnamespace, c.relname, c.relkind, c.relpersistence, c.reloptions, c.relacl,
       pg_catalog.pg_get_userbyid(c.relowner), c.relrowsecurity, c.relforcerowsecurity,
       c.reloftype, c.relispartition, i.inhparent,
       CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, 0) END,
       CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END,
       d.description
  FROM pg_catalog.pg_class c
  LEFT JOIN pg_catalog.pg_inherits i ON i.inhrelid OPERATOR(pg_catalog.=) c.oid
{comment("c.oid", "pg_class", "0")}
 WHERE c.relnamespace OPERATOR(pg_catalog.=) ANY (%(nsp)s::pg_catalog.oid[])
   AND c.relkind OPERATOR(pg_catalog.=) ANY ('{{r,p,v,m,S,f,c}}'::pg_catalog."char"[])
""",
    "columns": f"""
SELECT a.attrelid, a.attnum, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),
       a.attnotnull, a.attidentity, a.attgenerated, a.attislocal, a.attcollation,
       a.attstattarget, a.attacl,
       pg_catalog.pg_get_expr(ad.adbin, CASE WHEN a.attgenerated OPERATOR(pg_catalog.=) ''
                                             THEN 0 ELSE ad.adrelid END),
       d.description
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) a.attrelid
  LEFT JOIN pg_catalog.pg_attrdef ad
    ON ad.adrelid OPERATOR(pg_catalog.=) a.attrelid AND ad.adnum OPERATOR(pg_catalog.=) a.attnum
{comment("a.attrelid", "pg_class", "a.attnum")}
 WHERE c.relnamespace OPERATOR(pg_catalog.=) ANY (%(nsp)s::pg_catalog.oid[])
   AND c.relkind OPERATOR(pg_catalog.=) ANY ('{{r,p,v,m,f,c}}'::pg_catalog."char"[])
   AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
""",
    "constraints": f"""
SELECT co.oid, co.conrelid, co.contypid, co.conname, co.contype,
       pg_catalog.pg_get_constraintdef(co.oid), co.condeferrable, co.condeferred,
       co.convalidated, co.conislocal, co.conparentid, d.description
  FROM pg_catalog.pg_constraint co
{comment("co.oid", "pg_constraint")}
 WHERE co.connamespace OPERATOR(pg_catalog.=) ANY (%(nsp)s::pg_catalog.oid[])
""",
    "indexes": f"""
SELECT x.indexrelid, x.indrelid, c.relname, pg_catalog.pg_get_indexdef(x.indexrelid),
       x.indisprimary, x.indisunique, x.indisvalid, c.reloptions, d.description
  FROM pg_catalog.pg_index x
  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) x.indexrelid
{comment("x.indexrelid", "pg_class", "0")}
 WHERE c.relnamespace OPERATOR(pg_catalog.=) ANY (%(nsp)s::pg_catalog.oid[])
""",
    "functions": f"""
SELECT p.oid, p.pronamespace, p.proname, p.prokind,
       pg_catalog.pg_get_function_identity_arguments(p.oid),
       CASE WHEN p.prokind OPERATOR(pg_catalog.<>) 'a'
            THEN pg_catalog.pg_get_functiondef(p.oid) END,
       pg_catalog.pg_get_userbyid(p.proowner), p.proacl, d.description
  FROM pg_catalog.pg_proc p
{comment("p.oid", "pg_proc")}
 WHERE p.pronamespace OPERATOR(pg_catalog.=) ANY (%(nsp)s::pg_catalog.oid[])
""",
    "triggers": f"""
SELECT t.oid, t.tgrelid, t.tgname, pg_catalog.pg_get_triggerdef(t.oid), t.tgenabled,
       t.tgparentid, d.description
  FROM pg_catalog.pg_trigger t
  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid
{comment("t.oid", "pg_trigger")}
 WHERE c.relnamespace OPERATOR(pg_catalog.=) ANY (%(nsp)s::pg_catalog.oid[])
   AND NOT t.tgisinternal
""",
    "types": f"""
SELECT t.oid, t.typnamespace, t.typname, t.typtype, t.typrelid,
       pg_catalog.format_type(t.typbasetype, t.typtypmod), t.typnotnull, t.typdefault,
       pg_catalog.format_type(r.rngsubtype, NULL), e.labels, t.typacl, d.description
  FROM pg_catalog.pg_type t
  LEFT JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.typrelid
  LEFT JOIN pg_catalog.pg_range r ON r.rngtypid OPERATOR(pg_catalog.=) t.oid
  LEFT JOIN (SELECT enumtypid, pg_catalog.array_agg(enumlabel ORDER BY enumsortorder) AS labels
               FROM pg_catalog.pg_enum GROUP BY enumtypid) e
    ON e.enumtypid OPERATOR(pg_catalog.=) t.oid
{comment("t.oid", "pg_type")}
 WHERE t.typnamespace OPERATOR(pg_catalog.=) ANY (%(nsp)s::pg_catalog.oid[])
   AND t.typtype OPERATOR(pg_catalog.=) ANY ('{{e,d,c,r,m}}'::pg_catalog."char"[])
   AND (c.oid IS NULL OR c.relkind OPERATOR(pg_catalog.=) 'c')
""",
    "sequences": """
SELECT s.seqrelid, pg_catalog.format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement,
       s.seqmax, s.seqmin, s.seqcache, s.seqcycle
  FROM pg_catalog.pg_sequence s
  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) s.seqrelid
 WHERE c.relnamespace OPERATOR(pg_catalog.=) ANY (%(nsp)s::pg_catalog.oid[])
""",
    "policies": """
SELECT p.oid, p.polrelid, p.polname, p.polcmd, p.polpermissive, p.polroles,
       pg_catalog.pg_get_expr(p.polqual, p.polrelid),
       pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)
  FROM pg_catalog.pg_policy p
  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) p.polrelid
 WHERE c.relnamespace OPERATOR(pg_catalog.=) ANY (%(nsp)s::pg_catalog.oid[])
""",
    # The edges a plan orders by (a view on its tables and columns, a default on its sequence,
    # a function on its types, ...): every normal or automatic edge out of an object in scope.
    "dependencies": """
WITH rel AS (SELECT c.oid FROM pg_catalog.pg_class c
              WHERE c.relnamespace OPERATOR(pg_catalog.=) ANY (%(nsp)s::pg_catalog.oid[])),
obj AS (SELECT oid FROM rel
        UNION ALL SELECT r.oid FROM pg_catalog.pg_rewrite r
                   WHERE r.ev_class OPERATOR(pg_catalog.=) ANY (SELECT oid FROM rel)
        UNION ALL SELECT a.oid FROM pg_catalog.pg_attrdef a
                   WHERE a.adrelid OPERATOR(pg_catalog.=) ANY (SELECT oid FROM rel)
        UNION ALL SELECT t.oid FROM pg_catalog.pg_trigger t
                   WHERE t.tgrelid OPERATOR(pg_catalog.=) ANY (SELECT oid FROM rel)
        UNION ALL SELECT co.oid FROM pg_catalog.pg_constraint co
                   WHERE co.connamespace OPERATOR(pg_catalog.=) ANY (%(nsp)s::pg_catalog.oid[])
        UNION ALL SELECT p.oid FROM pg_catalog.pg_proc p
                   WHERE p.pronamespace OPERATOR(pg_catalog.=) ANY (%(nsp)s::pg_catalog.oid[])
        UNION ALL SELECT t.oid FROM pg_catalog.pg_type t
                   WHERE t.typnamespace OPERATOR(pg_catalog.=) ANY (%(nsp)s::pg_catalog.oid[]))
SELECT d.classid, d.objid, d.objsubid, d.refclassid, d.refobjid, d.refobjsubid, d.deptype
  FROM pg_catalog.pg_depend d
 WHERE d.deptype OPERATOR(pg_catalog.=) ANY ('{n,a}'::pg_catalog."char"[])
   AND d.objid OPERATOR(pg_catalog.=) ANY (SELECT oid FROM obj)
""",
}


#: View texts, ``VIEW_BATCH`` views at a time in a savepoint rolled back once read:
#: ``pg_get_viewdef`` locks every relation a view names until its (sub)transaction ends, and
#: thousands of views read at once by two sessions overflow the server's shared lock table
#: ("out of shared memory" with the default ``max_locks_per_transaction``).
VIEWS = """
SELECT c.oid, pg_catalog.pg_get_viewdef(c.oid)
  FROM pg_catalog.pg_class c
 WHERE c.relnamespace OPERATOR(pg_catalog.=) ANY (%(nsp)s::pg_catalog.oid[])
   AND c.relkind OPERATOR(pg_catalog.=) ANY ('{v,m}'::pg_catalog."char"[])
   AND c.oid OPERATOR(pg_catalog.>) %(after)s::pg_catalog.oid
 ORDER BY c.oid
 LIMIT %(batch)s
"""
VIEW_BATCH = 500


def read_views(cur: psycopg.Cursor, nsp: list[int]) -> int:
    """Every view's text in scope, a batch per savepoint; the number of rows."""
    rows, after = 0, 0
    while True:
        cur.execute("SAVEPOINT views")
        cur.execute(VIEWS, {"nsp": nsp, "after": after, "batch": VIEW_BATCH})
        batch = cur.fetchall()
        cur.execute("ROLLBACK TO SAVEPOINT views")
        rows += len(batch)
        if len(batch) < VIEW_BATCH:
            return rows
        after = batch[-1][0]


def run_side(conninfo: dict, schemas: list[str], all_schemas: bool) -> dict:
    """Read one side: every query in one transaction, every row fetched."""
    started = time.perf_counter()
    per_query: dict[str, int] = {}
    with psycopg.connect(**conninfo, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SELECT pg_catalog.set_config('search_path', '', false)")
        cur.execute(BEGIN)
        for setting, value in SETTINGS.items():
            cur.execute("SELECT pg_catalog.set_config(%s, %s, true)", (setting, value))
        cur.execute(SCHEMAS, {"all": all_schemas, "schemas": schemas})
        namespaces = cur.fetchall()
        per_query["schemas"] = len(namespaces)
        params = {"nsp": [row[0] for row in namespaces]}
        for name, sql in QUERIES.items():
            cur.execute(sql, params)
            per_query[name] = len(cur.fetchall())
            if name == "relations":
                per_query["views"] = read_views(cur, params["nsp"])
        cur.execute("ROLLBACK")
    return {
        "seconds": time.perf_counter() - started,
        "queries": 2 + len(QUERIES),
        "rows": sum(per_query.values()),
        "rows_per_query": per_query,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=5432)
    ap.add_argument("--username", default="postgres")
    ap.add_argument("--source-database", required=True)
    ap.add_argument("--target-database", required=True)
    ap.add_argument("--source-schema", default="public")
    ap.add_argument("--target-schema", default="public")
    ap.add_argument("--all-schemas", action="store_true", help="every non-system schema")
    args = ap.parse_args(argv)

    base = {
        "host": args.host,
        "port": args.port,
        "user": args.username,
        "application_name": "ddp-bench-lower-bound",
    }
    sides = {
        "source": (args.source_database, args.source_schema),
        "target": (args.target_database, args.target_schema),
    }
    results: dict[str, dict] = {}
    errors: dict[str, BaseException] = {}

    def worker(side: str) -> None:
        database, schema = sides[side]
        try:
            results[side] = run_side({**base, "dbname": database}, [schema], args.all_schemas)
        except BaseException as exc:  # reported below, after both threads end
            errors[side] = exc

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(side,)) for side in sides]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    if errors:
        for side, exc in errors.items():
            print(f"lower_bound: {side}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    json.dump({"seconds": wall, **results}, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
