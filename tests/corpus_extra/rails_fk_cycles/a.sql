-- Rails-style schema (bigint ids, *_id FKs, index_* names, timestamps) with a FK cycle
CREATE TABLE schema_migrations (version character varying NOT NULL PRIMARY KEY);
CREATE TABLE ar_internal_metadata (
    key character varying NOT NULL PRIMARY KEY,
    value character varying,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
);
CREATE TABLE companies (
    id bigserial PRIMARY KEY,
    name character varying NOT NULL,
    owner_id bigint,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
);
CREATE TABLE users (
    id bigserial PRIMARY KEY,
    email character varying DEFAULT ''::character varying NOT NULL,
    encrypted_password character varying DEFAULT ''::character varying NOT NULL,
    company_id bigint,
    reset_password_token character varying,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
);
CREATE UNIQUE INDEX index_users_on_email ON users USING btree (email);
CREATE UNIQUE INDEX index_users_on_reset_password_token ON users USING btree (reset_password_token);
CREATE INDEX index_users_on_company_id ON users USING btree (company_id);
ALTER TABLE ONLY users ADD CONSTRAINT fk_rails_7682a3bdfe FOREIGN KEY (company_id) REFERENCES companies(id);
ALTER TABLE ONLY companies ADD CONSTRAINT fk_rails_owner FOREIGN KEY (owner_id) REFERENCES users(id);
CREATE TABLE projects (
    id bigserial PRIMARY KEY,
    company_id bigint NOT NULL,
    name character varying NOT NULL,
    archived boolean DEFAULT false NOT NULL,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
);
CREATE INDEX index_projects_on_company_id ON projects USING btree (company_id);
ALTER TABLE ONLY projects ADD CONSTRAINT fk_rails_44a549d7b3 FOREIGN KEY (company_id) REFERENCES companies(id);
CREATE TABLE tasks (
    id bigserial PRIMARY KEY,
    project_id bigint NOT NULL,
    assignee_id bigint,
    title character varying NOT NULL,
    position integer,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
);
CREATE INDEX index_tasks_on_project_id ON tasks USING btree (project_id);
CREATE INDEX index_tasks_on_assignee_id ON tasks USING btree (assignee_id);
ALTER TABLE ONLY tasks ADD CONSTRAINT fk_rails_02e851e3b7 FOREIGN KEY (project_id) REFERENCES projects(id);
ALTER TABLE ONLY tasks ADD CONSTRAINT fk_rails_assignee FOREIGN KEY (assignee_id) REFERENCES users(id);
CREATE TABLE legacy_notes (
    id bigserial PRIMARY KEY,
    task_id bigint REFERENCES tasks(id),
    body text
);
