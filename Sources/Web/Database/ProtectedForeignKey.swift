extension Migration {
    /// Replaces `table.column`'s foreign key to `references` with one that does not
    /// cascade (Django's own constraint: no ON DELETE, deferred), so a referenced row
    /// cannot be deleted by anyone. A database adopted from Django already has that
    /// constraint under Django's name, and keeps it.
    public static func protectedForeignKey(app: String, name: String, table: String, column: String,
                                           references: String) -> Migration {
        let constraint = "\(table)_\(column)_fkey"
        return Migration(app: app, name: name, sql: """
            ALTER TABLE \(table) DROP CONSTRAINT IF EXISTS \(constraint);
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = '\(table)'::regclass
                               AND contype = 'f' AND confrelid = '\(references)'::regclass) THEN
                    ALTER TABLE \(table) ADD CONSTRAINT \(constraint)
                        FOREIGN KEY (\(column)) REFERENCES \(references) (id) DEFERRABLE INITIALLY DEFERRED;
                END IF;
            END
            $$;
            """)
    }
}
