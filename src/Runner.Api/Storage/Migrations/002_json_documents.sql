-- Documents become json (the text as written) instead of jsonb. jsonb decodes every string into
-- PostgreSQL text, which cannot hold U+0000 (error 22P05), so a NUL in a source, an input, a test
-- name or a program's output made the row unwritable. json stores the serializer's text, where
-- U+0000 is the escape \u0000, and gives it back unchanged. Nothing queries inside these
-- documents, so jsonb's operators and indexing are not missed.
ALTER TABLE runner.submissions
    ALTER COLUMN input    TYPE json USING input::json,
    ALTER COLUMN result   TYPE json USING result::json,
    ALTER COLUMN progress TYPE json USING progress::json;
