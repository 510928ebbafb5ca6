-- PostgreSQL docs 12.6 (dictionaries): documents to be searched
CREATE TABLE docs (doc_id integer PRIMARY KEY, title text, body text);
