-- The retention sweep deletes finished submissions by age (Runner:Retention:FinishedDays).
CREATE INDEX submissions_finished_at ON runner.submissions (finished_at) WHERE status = 'finished';
