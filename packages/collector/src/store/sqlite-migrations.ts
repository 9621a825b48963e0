// SQLite schema, one entry per version; applied in order and never edited once released.
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    allowed_origins TEXT NOT NULL,
    escalation_reasons TEXT NOT NULL,
    ttl_days INTEGER NOT NULL,
    scrub_pii INTEGER NOT NULL,
    auto_ban INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE project_keys (
    lookup TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    kind TEXT NOT NULL CHECK (kind IN ('public', 'secret')),
    expires_at TEXT
  );
  CREATE INDEX project_keys_project ON project_keys (project_id);
  CREATE TABLE events (
    project_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    signal TEXT NOT NULL,
    request_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    occurred_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    product_version TEXT,
    payload TEXT NOT NULL,
    UNIQUE (project_id, event_id)
  );
  CREATE INDEX events_received ON events (project_id, received_at);
  CREATE TABLE adversaries (
    project_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('flagged', 'confirmed')),
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (project_id, user_id)
  );
  CREATE TABLE version_changes (
    project_id TEXT NOT NULL,
    version TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    PRIMARY KEY (project_id, version)
  );
  CREATE TABLE gate_decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    promote INTEGER NOT NULL,
    report TEXT NOT NULL
  );
  `,
  // 2: what browsers report they had to drop, per project and UTC day (never silent).
  `
  CREATE TABLE client_drops (
    project_id TEXT NOT NULL,
    day TEXT NOT NULL,
    dropped INTEGER NOT NULL,
    PRIMARY KEY (project_id, day)
  );
  `,
  // 3: settings added later, as one JSON object (see project-settings.ts).
  `
  ALTER TABLE projects ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
  `,
  // 4: export lineage (which users each export run held) and the erasure log (no user ids).
  `
  CREATE TABLE export_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id TEXT NOT NULL,
    exported_at TEXT NOT NULL,
    format TEXT NOT NULL,
    range_since TEXT,
    range_until TEXT,
    rules TEXT NOT NULL,
    events INTEGER NOT NULL,
    records INTEGER NOT NULL,
    users INTEGER NOT NULL,
    complete INTEGER NOT NULL,
    via TEXT NOT NULL
  );
  CREATE INDEX export_runs_project ON export_runs (project_id, id);
  CREATE TABLE export_users (
    project_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    export_id INTEGER NOT NULL,
    PRIMARY KEY (project_id, user_id, export_id)
  ) WITHOUT ROWID;
  CREATE TABLE erasures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('user', 'retention')),
    erased_at TEXT NOT NULL,
    events INTEGER NOT NULL,
    exports TEXT NOT NULL
  );
  CREATE INDEX erasures_project ON erasures (project_id, id);
  `,
  // 5: the answer log, what the bot's backend said per request (see answer-log.ts).
  `
  CREATE TABLE answers (
    project_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    logged_at INTEGER NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (project_id, request_id)
  );
  `,
  // 6: adversary flags a person dismissed, and the evidence each flag rests on. SQLite cannot
  // change a CHECK in place: the table is rebuilt.
  `
  CREATE TABLE adversaries_v4 (
    project_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('flagged', 'confirmed', 'dismissed')),
    reason TEXT NOT NULL,
    evidence TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    PRIMARY KEY (project_id, user_id)
  );
  INSERT INTO adversaries_v4 (project_id, user_id, status, reason, created_at)
    SELECT project_id, user_id, status, reason, created_at FROM adversaries;
  DROP TABLE adversaries;
  ALTER TABLE adversaries_v4 RENAME TO adversaries;
  `,
  // 7: the review log, every decision a person made about a correction or a flagged user,
  // versioned per item (see review-log.ts).
  `
  CREATE TABLE review_decisions (
    project_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('approve', 'reject', 'edit', 'confirm', 'dismiss')),
    text TEXT,
    reviewer TEXT NOT NULL,
    note TEXT,
    decided_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, item_id, version)
  );
  CREATE INDEX review_decisions_user ON review_decisions (project_id, user_id);
  `,
  // 8: webhooks and their durable outbox; a delivery's id is the event's id, its attempts a
  // JSON array (see webhook-types.ts).
  `
  CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('json', 'slack')),
    created_at INTEGER NOT NULL
  );
  CREATE INDEX webhooks_project ON webhooks (project_id);
  CREATE TABLE webhook_outbox (
    webhook_id TEXT NOT NULL,
    id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    next_attempt_at INTEGER,
    attempts TEXT NOT NULL DEFAULT '[]',
    delivered_at INTEGER,
    failed_at INTEGER,
    PRIMARY KEY (webhook_id, id)
  );
  CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at)
    WHERE next_attempt_at IS NOT NULL;
  CREATE INDEX webhook_outbox_list ON webhook_outbox (project_id, webhook_id, created_at);
  `,
  // 9: the stats aggregates a collector built, so a restart does not read every event again
  // (see stats-snapshots.ts); a cache, deleted with a user's erasure.
  `
  CREATE TABLE stats_snapshots (
    project_id TEXT PRIMARY KEY,
    format INTEGER NOT NULL,
    erasure_mark INTEGER NOT NULL,
    settled_until INTEGER NOT NULL,
    events INTEGER NOT NULL,
    body BLOB NOT NULL,
    written_at INTEGER NOT NULL
  );
  `,
]
