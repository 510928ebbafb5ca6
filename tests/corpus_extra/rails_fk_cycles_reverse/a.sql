-- renamed-away table, polymorphic columns, composite FK, a self-FK, the cycle now deferrable
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
    subdomain character varying,
    owner_id bigint,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
);
CREATE UNIQUE INDEX index_companies_on_subdomain ON companies USING btree (subdomain);
CREATE TABLE users (
    id bigserial PRIMARY KEY,
    email character varying DEFAULT ''::character varying NOT NULL,
    encrypted_password character varying DEFAULT ''::character varying NOT NULL,
    company_id bigint NOT NULL,
    reset_password_token character varying,
    reset_password_sent_at timestamp(6) without time zone,
    manager_id bigint,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
);
CREATE UNIQUE INDEX index_users_on_company_id_and_email ON users USING btree (company_id, email);
CREATE UNIQUE INDEX index_users_on_reset_password_token ON users USING btree (reset_password_token);
CREATE UNIQUE INDEX index_users_on_id_and_company_id ON users USING btree (id, company_id);
ALTER TABLE ONLY users ADD CONSTRAINT fk_rails_7682a3bdfe FOREIGN KEY (company_id) REFERENCES companies(id) ON DELETE CASCADE;
ALTER TABLE ONLY users ADD CONSTRAINT fk_rails_manager FOREIGN KEY (manager_id) REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE ONLY companies ADD CONSTRAINT fk_rails_owner FOREIGN KEY (owner_id) REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED;
CREATE TABLE projects (
    id bigserial PRIMARY KEY,
    company_id bigint NOT NULL,
    name character varying NOT NULL,
    archived_at timestamp(6) without time zone,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
);
CREATE INDEX index_projects_on_company_id ON projects USING btree (company_id) WHERE archived_at IS NULL;
CREATE UNIQUE INDEX index_projects_on_id_and_company_id ON projects USING btree (id, company_id);
ALTER TABLE ONLY projects ADD CONSTRAINT fk_rails_44a549d7b3 FOREIGN KEY (company_id) REFERENCES companies(id) ON DELETE CASCADE;
CREATE TABLE tasks (
    id bigserial PRIMARY KEY,
    project_id bigint NOT NULL,
    company_id bigint NOT NULL,
    assignee_id bigint,
    title character varying NOT NULL,
    position integer DEFAULT 0 NOT NULL,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
);
CREATE INDEX index_tasks_on_project_id_and_position ON tasks USING btree (project_id, position);
CREATE INDEX index_tasks_on_assignee_id ON tasks USING btree (assignee_id);
ALTER TABLE ONLY tasks ADD CONSTRAINT fk_rails_tasks_project_company FOREIGN KEY (project_id, company_id) REFERENCES projects(id, company_id) MATCH FULL;
ALTER TABLE ONLY tasks ADD CONSTRAINT fk_rails_assignee FOREIGN KEY (assignee_id, company_id) REFERENCES users(id, company_id) ON DELETE SET NULL (assignee_id);
CREATE TABLE comments (
    id bigserial PRIMARY KEY,
    commentable_type character varying NOT NULL,
    commentable_id bigint NOT NULL,
    author_id bigint REFERENCES users(id),
    body text NOT NULL,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
);
CREATE INDEX index_comments_on_commentable ON comments USING btree (commentable_type, commentable_id);
