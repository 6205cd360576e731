-- A client's Idempotency-Key: a repeated POST with the same key gets the first submission back.
ALTER TABLE runner.submissions ADD COLUMN idempotency_key text;
CREATE UNIQUE INDEX submissions_idempotency_key ON runner.submissions (idempotency_key) WHERE idempotency_key IS NOT NULL;
