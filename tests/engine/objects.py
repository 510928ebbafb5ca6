"""Model objects shared by the engine tests: a small shop schema, as the catalog reads it."""

from __future__ import annotations

from ddp_engine.model import (
    Collation,
    Constraint,
    Extension,
    Function,
    Index,
    Key,
    Policy,
    Schema,
    Sequence,
    Trigger,
    UserType,
    View,
)
from tests.engine.kit import col, table

T = table("t", col("id", not_null=True), col("name", "text"))
PK = Constraint(
    schema_name="public",
    table="t",
    name="t_pkey",
    constraint_type="p",
    definition="PRIMARY KEY (id)",
    columns=("id",),
)
UNIQUE = Constraint(
    schema_name="public",
    table="t",
    name="t_name_key",
    constraint_type="u",
    definition="UNIQUE (name)",
    columns=("name",),
)
CHECK = Constraint(
    schema_name="public",
    table="t",
    name="t_id_check",
    constraint_type="c",
    definition="CHECK ((id > 0))",
    columns=("id",),
)
EXCLUDE = Constraint(
    schema_name="public",
    table="t",
    name="t_excl",
    constraint_type="x",
    definition="EXCLUDE USING btree (id WITH =)",
    columns=("id",),
)
INDEX = Index(
    schema_name="public",
    table="t",
    name="t_name_idx",
    body="USING btree (name)",
    key_columns=("name",),
)
TRIGGER_FN = Function(
    schema_name="public",
    name="f",
    identity_args="",
    kind="f",
    body="()\n RETURNS trigger\n LANGUAGE plpgsql\nAS $function$BEGIN RETURN NEW; END$function$",
    result_type="trigger",
    acl=("<owner>=X", "PUBLIC=X"),
)
SQL_FN = Function(
    schema_name="public",
    name="g",
    identity_args="integer",
    arguments="x integer",
    kind="f",
    body="(x integer)\n RETURNS integer\n LANGUAGE sql\nAS $function$SELECT x$function$",
    result_type="integer",
    acl=("<owner>=X", "PUBLIC=X"),
)
PROCEDURE = Function(
    schema_name="public",
    name="pr",
    identity_args="",
    kind="p",
    body="()\n LANGUAGE sql\nAS $procedure$SELECT 1$procedure$",
    acl=("<owner>=X", "PUBLIC=X"),
)
TRIGGER = Trigger(
    schema_name="public",
    table="t",
    name="trg",
    definition="CREATE TRIGGER trg BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.f()",
)
TRIGGER_DEPS: tuple[tuple[Key, Key], ...] = (
    (("trigger", "public", "t", "trg"), ("function", "public", "f()", "")),
    (("trigger", "public", "t", "trg"), ("table", "public", "t", "")),
)
VIEW = View(
    schema_name="public",
    name="v",
    definition=" SELECT t.id,\n    t.name\n   FROM public.t;",
    acl=("<owner>=arwdDxt",),
)
VIEW_OF_VIEW = View(
    schema_name="public",
    name="w",
    definition=" SELECT v.id\n   FROM public.v;",
    acl=("<owner>=arwdDxt",),
)
VIEW_DEPS: tuple[tuple[Key, Key], ...] = (
    (("view", "public", "v", ""), ("column", "public", "t", "id")),
    (("view", "public", "v", ""), ("column", "public", "t", "name")),
)
W_DEPS: tuple[tuple[Key, Key], ...] = ((("view", "public", "w", ""), ("view", "public", "v", "")),)
POLICY = Policy(schema_name="public", table="t", name="p", command="*", using="(id > 0)")
ENUM = UserType(
    schema_name="public",
    name="mood",
    type_kind="e",
    labels=("sad", "ok"),
    acl=("<owner>=U", "PUBLIC=U"),
)
DOMAIN = UserType(
    schema_name="public",
    name="posint",
    type_kind="d",
    base_type="integer",
    not_null=True,
    constraints=("posint_check CHECK ((VALUE > 0))",),
    acl=("<owner>=U", "PUBLIC=U"),
)
COMPOSITE = UserType(
    schema_name="public",
    name="pair",
    type_kind="c",
    attributes=("a integer", "b text"),
    acl=("<owner>=U", "PUBLIC=U"),
)
RANGE = UserType(
    schema_name="public",
    name="fr",
    type_kind="r",
    range_options="SUBTYPE = double precision",
    acl=("<owner>=U", "PUBLIC=U"),
)
SEQUENCE = Sequence(schema_name="public", name="s1", acl=("<owner>=rwU",))
EXTENSION = Extension(name="pgcrypto", schema_name="public", version="1.3")
COLLATION = Collation(schema_name="public", name="c1", provider="c", lc_collate="C", lc_ctype="C")
PUBLIC_SCHEMA = Schema(name="public")
IDENTITY = {
    "identity": "a",
    "identity_sequence": "t_id_seq",
    "identity_options": (1, 1, 1, 2147483647, 1, False),
}
