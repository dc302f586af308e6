package io.pgferry.postgres.admin;

import io.pgferry.postgres.catalog.Identifiers;
import io.pgferry.postgres.catalog.TableFacts;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The per-table part of {@link Preflight}: the table exists, is a table, can be read, is in the publication, and
 * has a usable replica identity (PostgreSQL docs, ALTER TABLE ... REPLICA IDENTITY and "Logical Replication",
 * section Publication).
 */
final class TableChecks {
    private final Connection c;
    private final String user;
    private final PublicationChecks publication;

    TableChecks(Connection c, String user, PublicationChecks publication) {
        this.c = c;
        this.user = user;
        this.publication = publication;
    }

    List<Finding> check(TableName t) throws SQLException {
        String subject = "table " + t;
        Optional<TableFacts> facts = TableFacts.read(c, t);
        if (facts.isEmpty()) {
            return List.of(Finding.fail(
                    subject,
                    "does not exist",
                    "check the name: schema.table, with double quotes around mixed case (\"Sales\".\"Orders\")"));
        }
        return check(subject, t, facts.get());
    }

    private List<Finding> check(String subject, TableName t, TableFacts f) {
        if (!f.isTable()) {
            return List.of(Finding.fail(subject, "is a " + f.kind() + ", not a table", "publish tables only"));
        }
        List<Finding> problems = new ArrayList<>();
        if (!f.canSelect()) {
            problems.add(Finding.fail(
                    subject,
                    "role " + Identifiers.display(user) + " may not SELECT from it",
                    "GRANT SELECT ON " + t.quoted() + " TO " + Identifiers.quote(user)));
        }
        if (publication.exists() && !publication.publishes(t)) {
            problems.add(Finding.fail(
                    subject,
                    "is not in publication " + Identifiers.display(publication.name()),
                    "ALTER PUBLICATION " + Identifiers.quote(publication.name()) + " ADD TABLE " + t.quoted()));
        }
        if (publication.willBeCreated() && !f.owns()) {
            problems.add(Finding.fail(
                    subject,
                    "role " + Identifiers.display(user) + " does not own it, so pgferry cannot add it to a new"
                            + " publication",
                    "as the table owner: CREATE PUBLICATION " + Identifiers.quote(publication.name()) + " FOR TABLE "
                            + t.quoted()));
        }
        String identity = f.identity();
        if (identity == null && publication.needsReplicaIdentity()) {
            String why = f.replident() == 'n'
                    ? "has REPLICA IDENTITY NOTHING"
                    : f.replident() == 'i'
                            ? "has REPLICA IDENTITY USING INDEX but the index is gone or invalid"
                            : "has no primary key and REPLICA IDENTITY DEFAULT";
            problems.add(Finding.fail(
                    subject,
                    why + ": its UPDATEs and DELETEs cannot be replicated (PostgreSQL rejects them once published)",
                    "ALTER TABLE " + t.quoted() + " REPLICA IDENTITY FULL; or add a primary key"));
        }
        if (!problems.isEmpty()) {
            return problems;
        }
        return List.of(Finding.ok(subject, identity == null ? "readable (inserts only)" : "readable, " + identity));
    }
}
