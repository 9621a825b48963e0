// PostgreSQL schema, one entry per version; applied in order and never edited once released.
//
// Choices that differ from SQLite, and why:
// - `payload` is `json`, not `jsonb`: it keeps the event byte for byte (key order, numbers)
//   and accepts the `\u0000` escape that `jsonb` refuses, so no valid event can fail to store.
// - `seq` orders rows received in the same millisecond by arrival, as SQLite's rowid does;
//   it is only a tiebreaker inside the (project, received_at, seq) index, not a key.
// - `rate_limits` is UNLOGGED: counters shared by every collector process, cheap to update
//   (no WAL), and lost on a database crash, which only forgives the current windows.
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE projects (
    id text PRIMARY KEY,
    name text NOT NULL,
    allowed_origins jsonb NOT NULL,
    escalation_reasons jsonb NOT NULL,
    ttl_days integer NOT NULL,
    scrub_pii boolean NOT NULL,
    auto_ban boolean NOT NULL,
    created_at timestamptz NOT NULL
  );
  CREATE TABLE project_keys (
    lookup text PRIMARY KEY,
    project_id text NOT NULL REFERENCES projects (id),
    kind text NOT NULL CHECK (kind IN ('public', 'secret')),
    expires_at timestamptz
  );
  CREATE INDEX project_keys_project ON project_keys (project_id, kind);
  CREATE TABLE events (
    seq bigint GENERATED ALWAYS AS IDENTITY (CACHE 100),
    project_id text NOT NULL,
    event_id text NOT NULL,
    signal text NOT NULL,
    request_id text NOT NULL,
    user_id text NOT NULL,
    occurred_at bigint NOT NULL,
    received_at bigint NOT NULL,
    product_version text,
    payload json NOT NULL,
    UNIQUE (project_id, event_id)
  );
  CREATE INDEX events_received ON events (project_id, received_at, seq);
  CREATE TABLE adversaries (
    project_id text NOT NULL,
    user_id text NOT NULL,
    status text NOT NULL CHECK (status IN ('flagged', 'confirmed')),
    reason text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (project_id, user_id)
  );
  CREATE TABLE version_changes (
    project_id text NOT NULL,
    version text NOT NULL,
    changed_at timestamptz NOT NULL,
    PRIMARY KEY (project_id, version)
  );
  CREATE TABLE gate_decisions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id text NOT NULL,
    decided_at timestamptz NOT NULL,
    promote boolean NOT NULL,
    report json NOT NULL
  );
  CREATE INDEX gate_decisions_project ON gate_decisions (project_id, id);
  CREATE UNLOGGED TABLE rate_limits (
    bucket text NOT NULL,
    window_start bigint NOT NULL,
    ends_at bigint NOT NULL,
    count bigint NOT NULL,
    PRIMARY KEY (bucket, window_start)
  );
  CREATE INDEX rate_limits_ends ON rate_limits (ends_at);
  `,
  // 2: what browsers report they had to drop, per project and UTC day (never silent).
  `
  CREATE TABLE client_drops (
    project_id text NOT NULL,
    day date NOT NULL,
    dropped bigint NOT NULL,
    PRIMARY KEY (project_id, day)
  );
  `,
  // 3: settings added later, as one JSON object (see project-settings.ts).
  `
  ALTER TABLE projects ADD COLUMN IF NOT EXISTS settings jsonb NOT NULL DEFAULT '{}';
  `,
  // 4: export lineage (which users each export run held) and the erasure log (no user ids).
  `
  CREATE TABLE IF NOT EXISTS export_runs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id text NOT NULL,
    exported_at timestamptz NOT NULL,
    format text NOT NULL,
    range_since text,
    range_until text,
    rules json NOT NULL,
    events bigint NOT NULL,
    records bigint NOT NULL,
    users integer NOT NULL,
    complete boolean NOT NULL,
    via text NOT NULL
  );
  CREATE INDEX IF NOT EXISTS export_runs_project ON export_runs (project_id, id);
  CREATE TABLE IF NOT EXISTS export_users (
    project_id text NOT NULL,
    user_id text NOT NULL,
    export_id bigint NOT NULL,
    PRIMARY KEY (project_id, user_id, export_id)
  );
  CREATE TABLE IF NOT EXISTS erasures (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('user', 'retention')),
    erased_at timestamptz NOT NULL,
    events bigint NOT NULL,
    exports json NOT NULL
  );
  CREATE INDEX IF NOT EXISTS erasures_project ON erasures (project_id, id);
  `,
  // 5: the answer log, what the bot's backend said per request (see answer-log.ts).
  `
  CREATE TABLE answers (
    project_id text NOT NULL,
    request_id text NOT NULL,
    fingerprint text NOT NULL,
    logged_at bigint NOT NULL,
    payload json NOT NULL,
    PRIMARY KEY (project_id, request_id)
  );
  `,
  // 6: adversary flags a person dismissed, and the evidence each flag rests on.
  `
  ALTER TABLE adversaries DROP CONSTRAINT IF EXISTS adversaries_status_check;
  ALTER TABLE adversaries ADD CONSTRAINT adversaries_status_check
    CHECK (status IN ('flagged', 'confirmed', 'dismissed'));
  ALTER TABLE adversaries ADD COLUMN IF NOT EXISTS evidence jsonb NOT NULL DEFAULT '{}';
  `,
  // 7: the review log, every decision a person made about a correction or a flagged user,
  // versioned per item (see review-log.ts).
  `
  CREATE TABLE review_decisions (
    project_id text NOT NULL,
    item_id text NOT NULL,
    version integer NOT NULL,
    user_id text NOT NULL,
    decision text NOT NULL CHECK (decision IN ('approve', 'reject', 'edit', 'confirm', 'dismiss')),
    text text,
    reviewer text NOT NULL,
    note text,
    decided_at bigint NOT NULL,
    PRIMARY KEY (project_id, item_id, version)
  );
  CREATE INDEX review_decisions_user ON review_decisions (project_id, user_id);
  `,
  // 8: webhooks and their durable outbox; a delivery's id is the event's id, its attempts a
  // JSON array (see webhook-types.ts).
  `
  CREATE TABLE webhooks (
    id text PRIMARY KEY,
    project_id text NOT NULL,
    url text NOT NULL,
    events jsonb NOT NULL,
    secret text NOT NULL,
    format text NOT NULL CHECK (format IN ('json', 'slack')),
    created_at bigint NOT NULL
  );
  CREATE INDEX webhooks_project ON webhooks (project_id);
  CREATE TABLE webhook_outbox (
    webhook_id text NOT NULL,
    id text NOT NULL,
    project_id text NOT NULL,
    event_type text NOT NULL,
    payload json NOT NULL,
    created_at bigint NOT NULL,
    next_attempt_at bigint,
    attempts jsonb NOT NULL DEFAULT '[]',
    delivered_at bigint,
    failed_at bigint,
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
    project_id text PRIMARY KEY,
    format integer NOT NULL,
    erasure_mark bigint NOT NULL,
    settled_until bigint NOT NULL,
    events bigint NOT NULL,
    body bytea NOT NULL,
    written_at bigint NOT NULL
  );
  `,
]
