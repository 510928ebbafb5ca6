CREATE DOMAIN salary AS numeric CHECK (VALUE >= 0);
