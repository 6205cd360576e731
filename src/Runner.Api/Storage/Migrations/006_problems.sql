-- Problems stored once (PUT /api/v1/problems/{id}). A package is the canonical zip of a
-- version's files, kept once per content hash whichever problems share it; a version row says
-- which problem uses it and what problem.json resolved to. Versions are never changed, only
-- retired (new submissions may not name them; queued ones are still judged with them).
CREATE TABLE runner.problem_packages (
    version    text        PRIMARY KEY,
    package    bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE runner.problem_versions (
    problem     text        NOT NULL,
    version     text        NOT NULL REFERENCES runner.problem_packages (version),
    definition  json        NOT NULL,
    uploaded_at timestamptz NOT NULL,
    retired_at  timestamptz,
    PRIMARY KEY (problem, version)
);

CREATE INDEX problem_versions_latest ON runner.problem_versions (problem, uploaded_at DESC) WHERE retired_at IS NULL;
