CREATE DOMAIN positive_int AS integer CONSTRAINT positive CHECK (VALUE > 0);
