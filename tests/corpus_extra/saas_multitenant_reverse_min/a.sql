CREATE TABLE t (c integer);
CREATE SCHEMA reports;
CREATE VIEW reports.v AS SELECT c FROM public.t;
