/// The tables of the framework itself (Django's `sessions` app).
public enum FrameworkMigrations {
    public static let all: [Migration] = [
        Migration(app: "sessions", name: "0001_initial", sql: """
            CREATE TABLE django_session (
                session_key varchar(40) PRIMARY KEY,
                session_data text NOT NULL,
                expire_date timestamptz NOT NULL,
                -- bumped on every save; echoed by the version cookie so workers' caches stay coherent
                version bigint NOT NULL DEFAULT 0
            );
            CREATE INDEX django_session_expire_date_a5c62663 ON django_session (expire_date);
            -- Deletions are broadcast so other workers drop their cached copy at once.
            """),
    ]
}
