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
            """),
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
