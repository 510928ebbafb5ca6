CREATE DOMAIN salary AS numeric CHECK (VALUE >= 0);
COMMENT ON CONSTRAINT salary_check ON DOMAIN salary IS 'no negative pay';
