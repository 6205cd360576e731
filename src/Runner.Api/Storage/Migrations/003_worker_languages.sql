-- What each worker can judge, written by the worker at start-up and renewed by its heartbeat.
-- API hosts read this instead of probing toolchains in a box themselves, so they need no
-- sandbox privileges; a language is accepted while some worker's row for it has not expired.
CREATE TABLE runner.worker_languages (
    worker     text        PRIMARY KEY,
    languages  json        NOT NULL,
    seen_at    timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
