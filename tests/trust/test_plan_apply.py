"""``ddp plan`` then ``ddp apply`` beside planted shadows: the plan's reads, data checks, the
apply's fingerprint check, recount and verification never call one, even when the target
database's default search_path lists the planted schemas first."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Server
from tests.plan_helpers import both, ddp, side, validate
from tests.trust.conftest import Canary, ident

SHOP = """
CREATE SCHEMA shop;
CREATE TABLE shop.item (id int PRIMARY KEY, price numeric(10, {scale}), label text);
"""


def test_plan_and_apply_run_no_planted_object(
    server: Server, make_db: Callable[[str], str], planted: Callable[..., Canary], tmp_path: Path
) -> None:
    source = make_db(SHOP.format(scale=2) + "CREATE INDEX item_label ON shop.item (label);")
    target = make_db(SHOP.format(scale=4) + "INSERT INTO shop.item VALUES (1, 1.2345, 'A');")
    canary = planted(source, "public", "shop")
    planted(target, "public", "shop")
    with server.connect() as conn:
        for db in (source, target):
            conn.execute(f"ALTER DATABASE {ident(db)} SET search_path = shop, public".encode())
    made = ddp("plan", *both(server, source, target, "shop"), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    document = json.loads((tmp_path / "plan.json").read_text())
    validate(document)
    assert document["plan"]["blocking_hazards"] == ["values_change"]
    applied = ddp(
        "apply", "plan.json", *side(server, "target", target, "shop"), "--yes",
        "--allow-hazards", "values_change", cwd=tmp_path,
    )  # fmt: skip
    assert applied.returncode == 0, applied.stderr
    canary.assert_silent()
