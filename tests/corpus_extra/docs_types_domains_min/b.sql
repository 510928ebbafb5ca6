CREATE DOMAIN positive_int AS integer CONSTRAINT positive CHECK (VALUE > 0);
COMMENT ON CONSTRAINT positive ON DOMAIN positive_int IS 'strictly positive';
