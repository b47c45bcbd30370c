-- The revisions a member sent today are counted at each push (docs/sync-protocol.md, rule 8).
CREATE INDEX visit_revisions_author ON visit_revisions (author_id, received_at);
