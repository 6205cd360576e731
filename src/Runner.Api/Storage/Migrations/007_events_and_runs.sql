-- What a worker reported while judging a submission, in order: the live events of
-- GET /api/v1/submissions/{id}/events, kept so a client that reconnects with Last-Event-ID
-- gets what it missed, and the per-test results GET shows while the submission runs.
-- Event 1 (queued) is not stored: every submission has it. A finished event has no data: it is
-- the row itself. Deleting a submission deletes its events.
CREATE TABLE runner.submission_events (
    submission_id uuid        NOT NULL REFERENCES runner.submissions (id) ON DELETE CASCADE,
    seq           integer     NOT NULL,
    type          text        NOT NULL,
    data          json,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (submission_id, seq)
);

-- POST /api/v1/runs goes through the queue like a submission: the request waits here for a
-- worker, which claims it with a lease (as a submission is claimed) and stores its result.
CREATE TABLE runner.runs (
    id          uuid        PRIMARY KEY,
    status      text        NOT NULL CHECK (status IN ('queued', 'running', 'finished')),
    request     json        NOT NULL,
    result      json,
    created_at  timestamptz NOT NULL,
    started_at  timestamptz,
    finished_at timestamptz,
    attempts    integer     NOT NULL DEFAULT 0,
    claimed_by  text,
    lease_until timestamptz
);

CREATE INDEX runs_finished_at ON runner.runs (finished_at) WHERE status = 'finished';
