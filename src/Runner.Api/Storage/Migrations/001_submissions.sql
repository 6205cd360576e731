-- Submissions and their results. input/result/progress are the API's JSON shapes (snake_case).
CREATE TABLE runner.submissions (
    id          uuid        PRIMARY KEY,
    status      text        NOT NULL CHECK (status IN ('queued', 'running', 'finished')),
    language    text        NOT NULL,
    input       jsonb       NOT NULL,
    result      jsonb,
    progress    jsonb,
    created_at  timestamptz NOT NULL,
    started_at  timestamptz,
    finished_at timestamptz,
    -- Claim with a lease: a job delivered twice judges once (see ISubmissionStore).
    attempts    integer     NOT NULL DEFAULT 0,
    claimed_by  text,
    lease_until timestamptz,
    job_id      text
);

CREATE INDEX submissions_pending ON runner.submissions (created_at) WHERE status <> 'finished';
