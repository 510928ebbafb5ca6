"""The ``partitions`` layout: partitioned tables of 200 partitions each (range by month, list by
region, hash by id in turn), N relations in all, with indexes, checks, a foreign key, triggers
and comments on the parents (which their partitions inherit).

The changed variant adds a column and an index to some parents, changes a default, adds a
check, attaches new partitions and drops old ones, changes the trigger function, and gives one
partition an index of its own.
"""

from __future__ import annotations

import random

from shapes import q

PER_PARENT = 200
TRIGGER_FN = (
    "CREATE FUNCTION public.touch_event() RETURNS trigger\n    LANGUAGE plpgsql\n    AS $$\n"
    "BEGIN\n{extra}    NEW.recorded_at := now();\n    RETURN NEW;\nEND;\n$$;\n"
)


class Parent:
    """One partitioned table and what the script says about it."""

    def __init__(self, p: int, rng: random.Random, per_parent: int) -> None:
        self.name = f"events_{p:03d}"
        self.method = ("range", "list", "hash")[p % 3]
        self.parts = list(range(per_parent))
        self.columns = [
            "id bigint NOT NULL",
            "region integer NOT NULL",
            "occurred_at timestamp with time zone NOT NULL",
            "recorded_at timestamp with time zone DEFAULT now() NOT NULL",
            f"kind text DEFAULT {q(rng.choice(('info', 'audit', 'metric')))} NOT NULL",
            "amount numeric(12,2)",
            "payload jsonb DEFAULT '{}'::jsonb",
            "lookup_id integer REFERENCES public.event_kinds(id)",
        ]
        key = {"range": "occurred_at", "list": "region", "hash": "id"}[self.method]
        self.key = key
        self.checks = [f"CONSTRAINT {self.name}_amount_check CHECK ((amount >= (0)::numeric))"]
        self.indexes = [f"{self.name}_region_idx ON public.{self.name} USING btree (region, id)"]
        if rng.random() < 0.5:
            self.indexes.append(
                f"{self.name}_payload_idx ON public.{self.name} USING gin (payload)"
            )
        self.trigger = rng.random() < 0.5
        self.default_part = self.method != "hash" and rng.random() < 0.4
        self.local_index: int | None = None

    def bound(self, k: int) -> str:
        if self.method == "range":
            lo, hi = divmod(k, 12)
            nxt = (lo + (hi + 1) // 12, (hi + 1) % 12)
            return (
                f"FROM ('{2000 + lo}-{hi + 1:02d}-01 00:00:00+00') "
                f"TO ('{2000 + nxt[0]}-{nxt[1] + 1:02d}-01 00:00:00+00')"
            )
        if self.method == "list":
            return f"IN ({k * 2}, {k * 2 + 1})"
        return f"WITH (MODULUS {len(self.parts)}, REMAINDER {k})"

    def render(self) -> list[str]:
        cols = ",\n    ".join(
            [*self.columns, f"PRIMARY KEY ({', '.join(dict.fromkeys(('id', self.key)))})"]
            + self.checks
        )
        out = [
            f"CREATE TABLE public.{self.name} (\n    {cols}\n) "
            f"PARTITION BY {self.method.upper()} ({self.key});\n",
            *[f"CREATE INDEX {ix};\n" for ix in self.indexes],
            f"COMMENT ON TABLE public.{self.name} IS {q(f'Events, by {self.key}.')};\n",
        ]
        if self.trigger:
            out.append(
                f"CREATE TRIGGER {self.name}_touch BEFORE INSERT OR UPDATE ON public.{self.name} "
                "FOR EACH ROW EXECUTE FUNCTION public.touch_event();\n"
            )
        for k in self.parts:
            out.append(
                f"CREATE TABLE public.{self.name}_p{k:03d} PARTITION OF public.{self.name} "
                f"FOR VALUES {self.bound(k)};\n"
            )
        if self.default_part:
            out.append(
                f"CREATE TABLE public.{self.name}_rest PARTITION OF public.{self.name} DEFAULT;\n"
            )
        if self.local_index is not None:
            part = f"{self.name}_p{self.local_index:03d}"
            out.append(f"CREATE INDEX {part}_amount_idx ON public.{part} USING btree (amount);\n")
        return out


def change(parents: list[Parent], rng: random.Random) -> tuple[list[str], str]:
    """Alter the parents in place; the log of changes and the trigger function's extra line."""
    log = []
    for par in rng.sample(parents, max(1, len(parents) // 5)):
        par.columns.append("source text")
        log.append(f"add column {par.name}.source")
    for par in rng.sample(parents, max(1, len(parents) // 5)):
        par.indexes.append(f"{par.name}_kind_idx ON public.{par.name} USING btree (kind)")
        log.append(f"add index {par.name}_kind_idx")
    par = rng.choice(parents)
    par.columns[4] = "kind text DEFAULT 'changed'::text NOT NULL"
    log.append(f"change default {par.name}.kind")
    par = rng.choice(parents)
    par.checks.append(f"CONSTRAINT {par.name}_region_check CHECK ((region >= 0))")
    log.append(f"add check {par.name}_region_check")
    for par in [p for p in parents if p.method != "hash"][:3]:
        n = len(par.parts)
        par.parts = par.parts[2:] + [n, n + 1, n + 2]
        log.append(f"drop 2 and attach 3 partitions of {par.name}")
    par = rng.choice(parents)
    par.local_index = rng.randrange(len(par.parts))
    log.append(f"add index on a partition of {par.name}")
    log.append("change function touch_event")
    return log, "    -- changed in the source\n"


def generate_partitions(
    n_tables: int, changed: bool, seed: int, batch: int
) -> tuple[list[str], list[str], str]:
    """Script body, change log and stats line of the ``partitions`` layout."""
    rng = random.Random(seed)
    per_parent = min(PER_PARENT, max(2, n_tables - 1))
    count = max(1, round(n_tables / (per_parent + 1)))
    parents = [Parent(p, rng, per_parent) for p in range(count)]
    log: list[str] = []
    extra = ""
    if changed:
        log, extra = change(parents, random.Random(seed * 7919 + 1))
    begin, commit = ("BEGIN;\n", "COMMIT;\n\n") if batch else ("", "")
    out = [
        begin,
        "CREATE TABLE public.event_kinds (id integer PRIMARY KEY, label text NOT NULL);\n",
        TRIGGER_FN.format(extra=extra),
        commit,
    ]
    for par in parents:
        out += [begin, *par.render(), commit]
    relations = sum(len(p.parts) + 1 + p.default_part for p in parents) + 1
    stats = (
        f"{relations} tables ({len(parents)} partitioned, {relations - len(parents) - 1} "
        f"partitions), {sum(len(p.indexes) for p in parents)} partitioned indexes, "
        f"{sum(p.trigger for p in parents)} triggers"
    )
    return out, log, stats
