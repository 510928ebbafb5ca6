CREATE TABLE people (id serial);
