import GRDB
import SanjiCore

/// Schema migrations. Names are fixed and a shipped migration is never edited: add a new one.
enum Migrations {
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
                    \(SummaryCounters.columns.map { "\($0) INTEGER NOT NULL DEFAULT 0" }.joined(separator: ", ")),
                    origin_rev INTEGER NOT NULL, rev INTEGER NOT NULL,
                    PRIMARY KEY (origin, day, item)
                ) WITHOUT ROWID;
                CREATE UNIQUE INDEX summary_rev ON summary (rev);
                CREATE INDEX summary_day ON summary (day);
                """)
        }
        return m
    }
}
