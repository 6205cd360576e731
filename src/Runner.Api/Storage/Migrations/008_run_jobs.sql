-- The Hangfire job of a run, as runner.submissions.job_id: a run stored whose enqueue was lost
-- (the database went away between the two, or the process died) has none, and the recovery
-- sweep enqueues it. Runs stored before this migration are taken as enqueued: whether they
-- were is not known, and they are as they would have been without it.
ALTER TABLE runner.runs ADD COLUMN job_id text;
UPDATE runner.runs SET job_id = 'before-008' WHERE status <> 'finished';
