-- PostgreSQL docs 12.7 (configuration example): documents to be searched
CREATE TABLE docs (doc_id integer PRIMARY KEY, title text, body text);
