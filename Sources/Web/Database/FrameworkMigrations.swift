/// The tables of the framework itself (Django's `sessions` and `auth` apps).
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
            """, adoption: Adoption(tables: [
                TableShape("django_session", [
                    ("session_key", .varchar(40)), ("session_data", .text), ("expire_date", .timestamptz),
                ]),
            ], sql: """
                ALTER TABLE django_session ADD COLUMN version bigint NOT NULL DEFAULT 0;
                CREATE INDEX IF NOT EXISTS django_session_expire_date_a5c62663 ON django_session (expire_date);
                """)),
        // A Django shop sharing the table writes rows without touching `version`
        // and deletes them without a word: the row's version moves and the
        // workers' caches hear of it all the same, as of the shop's own writes
        // (`DatabaseSessionStore.changeChannel`; a deletion by the shop is announced twice).
        Migration(app: "sessions", name: "0002_writes_by_others", sql: """
            CREATE FUNCTION django_session_written() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                NEW.version := OLD.version + 1;
                PERFORM pg_notify('\(DatabaseSessionStore.changeChannel)', NEW.version::text || ' ' || NEW.session_key);
                RETURN NEW;
            END
            $$;
            -- The shop's own saves move the version themselves: for them the function never runs.
            CREATE TRIGGER django_session_written BEFORE UPDATE ON django_session
                FOR EACH ROW WHEN (NEW.version = OLD.version) EXECUTE FUNCTION django_session_written();
            CREATE FUNCTION django_session_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('\(DatabaseSessionStore.changeChannel)', '0 ' || OLD.session_key);
                RETURN NULL;
            END
            $$;
            CREATE TRIGGER django_session_deleted AFTER DELETE ON django_session
                FOR EACH ROW WHEN (OLD.expire_date > now()) EXECUTE FUNCTION django_session_deleted();
            """),
        // Not Django's: the pools whose workers cache sessions (`SessionCachePools`), so that a
        // save leaves NOTIFY out when its own pool is the only one.
        Migration(app: "sessions", name: "0003_cache_pools", sql: """
            CREATE TABLE session_cache_pool (
                pool varchar(64) PRIMARY KEY,
                registered_at timestamptz NOT NULL DEFAULT now()
            );
            """),
        Migration(app: "auth", name: "0001_initial", sql: """
            CREATE TABLE auth_user (
                id serial PRIMARY KEY,
                password varchar(128) NOT NULL,
                last_login timestamptz NULL,
                is_superuser boolean NOT NULL DEFAULT false,
                username varchar(150) NOT NULL UNIQUE,
                first_name varchar(150) NOT NULL DEFAULT '',
                last_name varchar(150) NOT NULL DEFAULT '',
                email varchar(254) NOT NULL DEFAULT '',
                is_staff boolean NOT NULL DEFAULT false,
                is_active boolean NOT NULL DEFAULT true,
                date_joined timestamptz NOT NULL DEFAULT now()
            );
            """, adoption: Adoption(tables: [
                TableShape("auth_user", [
                    ("id", .id), ("password", .varchar(128)), ("last_login", .timestamptz),
                    ("is_superuser", .boolean), ("username", .varchar(150)), ("first_name", .varchar(1)),
                    ("last_name", .varchar(1)), ("email", .varchar(254)), ("is_staff", .boolean),
                    ("is_active", .boolean), ("date_joined", .timestamptz),
                ]),
            ], sql: """
                -- `shop createsuperuser` leaves the names empty, as Django's does.
                ALTER TABLE auth_user ALTER COLUMN first_name SET DEFAULT '', ALTER COLUMN last_name SET DEFAULT '';
                """)),
        // Not Django's: failed admin logins, for throttling (see LoginThrottle).
        Migration(app: "auth", name: "0002_login_failures", sql: """
            CREATE TABLE auth_login_failure (
                id bigserial PRIMARY KEY,
                username varchar(150) NOT NULL,
                client_address varchar(64) NOT NULL,
                failed_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX auth_login_failure_username_idx ON auth_login_failure (username, failed_at);
            CREATE INDEX auth_login_failure_address_idx ON auth_login_failure (client_address, failed_at);
            """),
    ]
}
