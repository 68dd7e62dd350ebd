import GRDB
import SanjiCore

/// Schema migrations. Names are fixed and a shipped migration is never edited: add a new one.
enum Migrations {
    /// The summary counters as v1 made them. A shipped migration never changes, so it must not
    /// read `SummaryCounters.columns`, which later versions change (v11).
    static let v1Counters = [
        "accepted", "accepted_online", "assisted", "completed", "completed_on_time", "completed_immediate", "visits",
        "grade_very_satisfied", "grade_satisfied", "grade_fair", "grade_dissatisfied", "grade_very_dissatisfied", "bad_rectified", "bad_revisited",
    ]

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1 node, catalogue, cases, evaluations, summary") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                -- Monotonic counters: `rev` stamps summary rows, `catalog_seq` the catalogue version held.
                CREATE TABLE counter (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) WITHOUT ROWID;
                INSERT INTO counter (name, value) VALUES ('rev', 0), ('catalog_seq', 0), ('eval_local', 0);

                -- Every node this one knows of: itself, and (with the federation) its enrolled subtree.
                CREATE TABLE node (
                    id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, level TEXT NOT NULL, parent TEXT,
                    enrolled_at INTEGER NOT NULL, last_heard_at INTEGER
                ) WITHOUT ROWID;

                -- The catalogue, owned by the root. `seq` is the catalogue sequence that last changed the row.
                CREATE TABLE catalog_item (
                    code TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, department TEXT NOT NULL,
                    levels TEXT NOT NULL, legal_days INTEGER, promised_days INTEGER NOT NULL,
                    online_depth INTEGER NOT NULL, max_visits INTEGER NOT NULL, withdrawn INTEGER NOT NULL,
                    seq INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE calendar_day (day TEXT PRIMARY KEY NOT NULL, kind TEXT NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID;
                CREATE TABLE setting (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID;
                CREATE TABLE catalog_version (seq INTEGER PRIMARY KEY, made_at INTEGER NOT NULL, note TEXT NOT NULL);

                -- Local only: never leaves the station (applicant fields are private).
                CREATE TABLE cases (
                    case_no TEXT PRIMARY KEY NOT NULL, item_code TEXT NOT NULL, accepted_at INTEGER NOT NULL,
                    channel TEXT NOT NULL, assisted INTEGER NOT NULL, deadline TEXT NOT NULL,
                    completed_at INTEGER, outcome TEXT, visits INTEGER,
                    applicant_name TEXT, applicant_id TEXT
                ) WITHOUT ROWID;
                CREATE INDEX cases_open ON cases (deadline) WHERE completed_at IS NULL;
                CREATE TABLE evaluations (
                    eval_id TEXT PRIMARY KEY NOT NULL, case_no TEXT, item_code TEXT NOT NULL, grade TEXT NOT NULL,
                    channel TEXT NOT NULL, evaluated_at INTEGER NOT NULL,
                    rectified_at INTEGER, revisited_at INTEGER, revisit_grade TEXT
                ) WITHOUT ROWID;
                CREATE INDEX evaluations_case ON evaluations (case_no) WHERE case_no IS NOT NULL;

                -- Summary rows: what travels upward. `origin_rev` is the origin node's rev for the row,
                -- `rev` this node's; on the origin itself they are equal.
                CREATE TABLE summary (
                    origin TEXT NOT NULL, day TEXT NOT NULL, item TEXT NOT NULL,
                    \(v1Counters.map { "\($0) INTEGER NOT NULL DEFAULT 0" }.joined(separator: ", ")),
                    origin_rev INTEGER NOT NULL, rev INTEGER NOT NULL,
                    PRIMARY KEY (origin, day, item)
                ) WITHOUT ROWID;
                CREATE UNIQUE INDEX summary_rev ON summary (rev);
                CREATE INDEX summary_day ON summary (day);
                """)
        }
        m.registerMigration("v2 federation: node records, cursors, links") { db in
            try db.execute(sql: """
                -- A node record has two parts, each with its own authority and revs:
                -- the enrolment (written by the parent that enrolled the node) and the status (by the node itself).
                ALTER TABLE node ADD COLUMN public_key TEXT;
                ALTER TABLE node ADD COLUMN revoked INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE node ADD COLUMN enroll_origin_rev INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE node ADD COLUMN enroll_rev INTEGER;
                ALTER TABLE node ADD COLUMN software TEXT;
                ALTER TABLE node ADD COLUMN catalog_seq INTEGER;
                ALTER TABLE node ADD COLUMN open_cases INTEGER;
                ALTER TABLE node ADD COLUMN overdue_cases INTEGER;
                ALTER TABLE node ADD COLUMN last_activity INTEGER;
                ALTER TABLE node ADD COLUMN status_as_of INTEGER;
                ALTER TABLE node ADD COLUMN status_origin_rev INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE node ADD COLUMN status_rev INTEGER;
                CREATE INDEX node_enroll_rev ON node (enroll_rev) WHERE enroll_rev IS NOT NULL;
                CREATE INDEX node_status_rev ON node (status_rev) WHERE status_rev IS NOT NULL;
                CREATE UNIQUE INDEX node_public_key ON node (public_key) WHERE public_key IS NOT NULL;
                -- Per child: the highest child rev committed here (the upward cursor).
                CREATE TABLE peer_cursor (child TEXT PRIMARY KEY NOT NULL, cursor INTEGER NOT NULL) WITHOUT ROWID;
                -- What `sanji serve` last saw of each link, for `sanji status`.
                CREATE TABLE link (
                    peer TEXT PRIMARY KEY NOT NULL, role TEXT NOT NULL, endpoint TEXT, state TEXT NOT NULL,
                    last_heard_at INTEGER, cursor INTEGER, catalog_seq INTEGER, detail TEXT, updated_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        m.registerMigration("v3 node backlog in status") { db in
            try db.execute(sql: "ALTER TABLE node ADD COLUMN backlog INTEGER")
        }
        m.registerMigration("v4 index of unrectified bad reviews") { db in
            // The dashboard's attention list looks for 差评 not yet rectified over all time; this
            // partial index holds only such rows, so it does not scan the whole summary table.
            try db.execute(sql: """
                CREATE INDEX summary_unrectified ON summary (origin, day)
                WHERE grade_dissatisfied + grade_very_dissatisfied > bad_rectified
                """)
        }
        m.registerMigration("v5 monthly rollups of summary rows") { db in
            // Sums per (origin, month), kept up to date lazily: before a dashboard, the months of
            // rows whose rev is above `rollup_rev` are summed again from the daily rows.
            try db.execute(sql: """
                CREATE TABLE summary_month (
                    origin TEXT NOT NULL, month TEXT NOT NULL,
                    \(v1Counters.map { "\($0) INTEGER NOT NULL DEFAULT 0" }.joined(separator: ", ")),
                    PRIMARY KEY (origin, month)
                ) WITHOUT ROWID;
                INSERT INTO counter (name, value) VALUES ('rollup_rev', 0);
                """)
        }
        m.registerMigration("v6 subtree conflicts") { db in
            // Enrolments refused because the node already belongs to another parent (ERROR 409).
            try db.execute(sql: """
                CREATE TABLE conflict (
                    subject TEXT NOT NULL, claimed_by TEXT NOT NULL, owner TEXT NOT NULL, via TEXT NOT NULL,
                    first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, PRIMARY KEY (subject, claimed_by)
                ) WITHOUT ROWID;
                """)
        }
        m.registerMigration("v7 clock skew in status") { db in
            try db.execute(sql: "ALTER TABLE node ADD COLUMN clock_skew INTEGER")
        }
        m.registerMigration("v8 agreement checks") { db in
            // `sanji verify` and `sanji serve` meet here: the command asks, serve sends the question
            // down the tree and files the digests that come back; heal requests wait to be routed.
            try db.execute(sql: """
                CREATE TABLE verify_request (id INTEGER PRIMARY KEY, asked_at INTEGER NOT NULL, sent_at INTEGER);
                CREATE TABLE verify_answer (
                    request INTEGER NOT NULL, origin TEXT NOT NULL, received_at INTEGER NOT NULL, PRIMARY KEY (request, origin)
                ) WITHOUT ROWID;
                CREATE TABLE verify_digest (
                    request INTEGER NOT NULL, origin TEXT NOT NULL, month TEXT NOT NULL, rows INTEGER NOT NULL,
                    digest INTEGER NOT NULL, max_origin_rev INTEGER NOT NULL, PRIMARY KEY (request, origin, month)
                ) WITHOUT ROWID;
                CREATE TABLE heal_request (
                    id INTEGER PRIMARY KEY, origin TEXT NOT NULL, months TEXT NOT NULL, asked_at INTEGER NOT NULL, sent_at INTEGER
                );
                """)
        }
        m.registerMigration("v9 a usable index of unrectified bad reviews") { db in
            // v4's index was never used: SQLite cannot prove `a + b > c` implies a partial index's
            // WHERE (it can for `c < a + b`), so the attention list scanned every summary row
            // (0.35 s of a 0.5 s dashboard on 2.8M rows). Queries must use this exact form.
            try db.execute(sql: """
                DROP INDEX summary_unrectified;
                CREATE INDEX summary_unrectified ON summary (origin, day)
                WHERE bad_rectified < grade_dissatisfied + grade_very_dissatisfied;
                """)
        }
        m.registerMigration("v10 no day index on summary rows") { db in
            // Every query over days now names its origins and reads the primary key (origin, day,
            // item); the day index only cost a random insert per relayed row (and a third of the
            // table's size). bench relay: see docs/benchmarks.md.
            try db.execute(sql: "DROP INDEX summary_day")
        }
        m.registerMigration("v11 figures as at a period's end: cases due, exception records") { db in
            // Summary rows count the cases due on each day (and those met), so that the cases open
            // past their deadline can be told as at any day; the follow-up of 差评 moves to dated
            // exception records, which also carry overdue cases up (docs/figures.md). The station's
            // own rows are then recomputed from its raw tables (`Rebuild`), and travel up anew.
            try db.execute(sql: """
                DROP INDEX summary_unrectified;
                ALTER TABLE summary DROP COLUMN bad_rectified;
                ALTER TABLE summary DROP COLUMN bad_revisited;
                ALTER TABLE summary ADD COLUMN due INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE summary ADD COLUMN due_met INTEGER NOT NULL DEFAULT 0;
                DROP TABLE summary_month;
                CREATE TABLE summary_month (
                    origin TEXT NOT NULL, month TEXT NOT NULL,
                    accepted INTEGER NOT NULL DEFAULT 0, accepted_online INTEGER NOT NULL DEFAULT 0, assisted INTEGER NOT NULL DEFAULT 0,
                    completed INTEGER NOT NULL DEFAULT 0, completed_on_time INTEGER NOT NULL DEFAULT 0,
                    completed_immediate INTEGER NOT NULL DEFAULT 0, visits INTEGER NOT NULL DEFAULT 0,
                    grade_very_satisfied INTEGER NOT NULL DEFAULT 0, grade_satisfied INTEGER NOT NULL DEFAULT 0,
                    grade_fair INTEGER NOT NULL DEFAULT 0, grade_dissatisfied INTEGER NOT NULL DEFAULT 0,
                    grade_very_dissatisfied INTEGER NOT NULL DEFAULT 0, due INTEGER NOT NULL DEFAULT 0, due_met INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (origin, month)
                ) WITHOUT ROWID;
                UPDATE counter SET value = 0 WHERE name = 'rollup_rev';

                ALTER TABLE evaluations ADD COLUMN named INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE evaluations ADD COLUMN appeal TEXT;
                ALTER TABLE evaluations ADD COLUMN appeal_at INTEGER;
                -- The reviewer's own words: local only, like everything in this table.
                ALTER TABLE evaluations ADD COLUMN appeal_reason TEXT;

                -- Exception records: whole states per (origin, case or evaluation), with revs like summary rows.
                CREATE TABLE exception_case (
                    origin TEXT NOT NULL, case_no TEXT NOT NULL, item TEXT NOT NULL, department TEXT NOT NULL,
                    accepted_day TEXT NOT NULL, deadline TEXT NOT NULL, completed_day TEXT,
                    origin_rev INTEGER NOT NULL, rev INTEGER NOT NULL, PRIMARY KEY (origin, case_no)
                ) WITHOUT ROWID;
                CREATE UNIQUE INDEX exception_case_rev ON exception_case (rev);
                CREATE TABLE exception_review (
                    origin TEXT NOT NULL, eval_id TEXT NOT NULL, item TEXT NOT NULL, grade TEXT NOT NULL, channel TEXT NOT NULL,
                    day TEXT NOT NULL, named INTEGER NOT NULL, rectified_day TEXT, revisited_day TEXT, revisit_grade TEXT,
                    appeal TEXT, appeal_day TEXT,
                    origin_rev INTEGER NOT NULL, rev INTEGER NOT NULL, PRIMARY KEY (origin, eval_id)
                ) WITHOUT ROWID;
                CREATE UNIQUE INDEX exception_review_rev ON exception_review (rev);
                CREATE INDEX exception_review_open ON exception_review (origin) WHERE rectified_day IS NULL;
                INSERT INTO meta (key, value) VALUES ('rebuild_own_rows', 'v11')
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
                """)
        }
        m.registerMigration("v12 copies of a station, and seals of a month's rows") { db in
            // A parent keeps which copy (incarnation) of each child it accepts, and a copy it refuses
            // (two PCs running one station); the refusal travels up on the child's enrolment.
            // A seal says "these are all of an origin's rows of a month": rows a parent holds beyond
            // them are dropped (`sanji verify --drop-extra`, when a station lost rows for good).
            try db.execute(sql: """
                ALTER TABLE node ADD COLUMN copy_conflict TEXT NOT NULL DEFAULT '';
                CREATE TABLE child_incarnation (
                    child TEXT PRIMARY KEY NOT NULL, current TEXT NOT NULL, refused TEXT,
                    refused_first INTEGER, refused_last INTEGER
                ) WITHOUT ROWID;
                CREATE TABLE month_seal (
                    origin TEXT NOT NULL, month TEXT NOT NULL, floor INTEGER NOT NULL,
                    origin_rev INTEGER NOT NULL, rev INTEGER NOT NULL, PRIMARY KEY (origin, month)
                ) WITHOUT ROWID;
                CREATE UNIQUE INDEX month_seal_rev ON month_seal (rev);
                ALTER TABLE heal_request ADD COLUMN seal INTEGER NOT NULL DEFAULT 0;
                """)
        }
        m.registerMigration("v13 windows, staff, service modes, consultations, targets") { db in
            // Cases and evaluations name their window and staff member; cases their service modes
            // (a bit set, `ServiceModes`). Summary rows count the modes and 咨询; window and staff
            // rows (`summary_unit`) hold the same counters per unit. The station's own rows are
            // recomputed (the `agent` and `home` channels now count as 代办 and 上门).
            try db.execute(sql: """
                ALTER TABLE cases ADD COLUMN modes INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE cases ADD COLUMN window TEXT NOT NULL DEFAULT '';
                ALTER TABLE cases ADD COLUMN staff TEXT NOT NULL DEFAULT '';
                ALTER TABLE evaluations ADD COLUMN window TEXT NOT NULL DEFAULT '';
                ALTER TABLE evaluations ADD COLUMN staff TEXT NOT NULL DEFAULT '';
                ALTER TABLE exception_case ADD COLUMN window TEXT NOT NULL DEFAULT '';
                ALTER TABLE exception_review ADD COLUMN window TEXT NOT NULL DEFAULT '';
                ALTER TABLE summary ADD COLUMN mode_help INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE summary_month ADD COLUMN mode_help INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE summary ADD COLUMN mode_proxy INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE summary_month ADD COLUMN mode_proxy INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE summary ADD COLUMN mode_home INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE summary_month ADD COLUMN mode_home INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE summary ADD COLUMN mode_appointment INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE summary_month ADD COLUMN mode_appointment INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE summary ADD COLUMN mode_extended INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE summary_month ADD COLUMN mode_extended INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE summary ADD COLUMN mode_mail INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE summary_month ADD COLUMN mode_mail INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE summary ADD COLUMN consultations INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE summary_month ADD COLUMN consultations INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE consultations (
                    consult_id TEXT PRIMARY KEY NOT NULL, at INTEGER NOT NULL, item_code TEXT NOT NULL,
                    window TEXT NOT NULL, staff TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE summary_unit (
                    origin TEXT NOT NULL, kind TEXT NOT NULL, unit TEXT NOT NULL, day TEXT NOT NULL,
                    \(SummaryCounters.columns.map { "\($0) INTEGER NOT NULL DEFAULT 0" }.joined(separator: ", ")),
                    origin_rev INTEGER NOT NULL, rev INTEGER NOT NULL, PRIMARY KEY (origin, kind, unit, day)
                ) WITHOUT ROWID;
                CREATE UNIQUE INDEX summary_unit_rev ON summary_unit (rev);
                -- The station's windows (its own configuration; names travel in the report, not here).
                CREATE TABLE service_window (
                    id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
                    added_at INTEGER NOT NULL, retired_at INTEGER
                ) WITHOUT ROWID;
                -- Yearly targets (the county's): scope is `level:county`, `level:township+village`, `node:ID`.
                CREATE TABLE target (
                    year INTEGER NOT NULL, scope TEXT NOT NULL, accepted INTEGER NOT NULL, set_at INTEGER NOT NULL,
                    PRIMARY KEY (year, scope)
                ) WITHOUT ROWID;
                INSERT INTO meta (key, value) VALUES ('rebuild_own_rows', 'v13')
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
                """)
        }
        m.registerMigration("v14 monthly rollups per item") { db in
            // Sums per (month, item) over every known node, refreshed with `summary_month` for
            // each month some row of changed in: the breakdowns by item and department read whole
            // months from here and only the partial months from the daily rows. Every pair is made
            // stale once, so both rollups are rebuilt at the next refresh.
            try db.execute(sql: """
                CREATE TABLE summary_month_item (
                    month TEXT NOT NULL, item TEXT NOT NULL,
                    \(SummaryCounters.columns.map { "\($0) INTEGER NOT NULL DEFAULT 0" }.joined(separator: ", ")),
                    PRIMARY KEY (month, item)
                ) WITHOUT ROWID;
                UPDATE counter SET value = 0 WHERE name = 'rollup_rev';
                """)
        }
        m.registerMigration("v15 monthly rollups per window and staff member") { db in
            // Sums per (kind, month, origin, unit), refreshed for each month some row (a summary row
            // or a unit row) changed in: the breakdowns by window and staff read whole months from
            // here. The unit rows are kept in (kind, day) order, so that a month's rows, and the
            // partial months at a period's ends, are one contiguous range (they were in origin order,
            // and a month of a county's windows took a random lookup per row); an index on (origin,
            // day) serves what reads one station's rows (verify, seals, a copy's restamp). Each
            // rollup has a watermark of its own, so a view refreshes only what it reads.
            let cols = SummaryCounters.columns
            try db.execute(sql: """
                CREATE TABLE summary_unit_v15 (
                    origin TEXT NOT NULL, kind TEXT NOT NULL, unit TEXT NOT NULL, day TEXT NOT NULL,
                    \(cols.map { "\($0) INTEGER NOT NULL DEFAULT 0" }.joined(separator: ", ")),
                    origin_rev INTEGER NOT NULL, rev INTEGER NOT NULL, PRIMARY KEY (kind, day, origin, unit)
                ) WITHOUT ROWID;
                INSERT INTO summary_unit_v15 (origin, kind, unit, day, \(cols.joined(separator: ", ")), origin_rev, rev)
                    SELECT origin, kind, unit, day, \(cols.joined(separator: ", ")), origin_rev, rev FROM summary_unit;
                DROP TABLE summary_unit;
                ALTER TABLE summary_unit_v15 RENAME TO summary_unit;
                CREATE UNIQUE INDEX summary_unit_rev ON summary_unit (rev);
                CREATE INDEX summary_unit_origin ON summary_unit (origin, day);
                CREATE TABLE summary_month_unit (
                    kind TEXT NOT NULL, month TEXT NOT NULL, origin TEXT NOT NULL, unit TEXT NOT NULL,
                    \(cols.map { "\($0) INTEGER NOT NULL DEFAULT 0" }.joined(separator: ", ")),
                    PRIMARY KEY (kind, month, origin, unit)
                ) WITHOUT ROWID;
                INSERT INTO counter (name, value) VALUES ('rollup_item_rev', 0), ('rollup_unit_rev', 0)
                    ON CONFLICT (name) DO UPDATE SET value = 0;
                """)
        }
        return m
    }
}
