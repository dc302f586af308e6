package io.pgferry.scan.mask;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.core.sink.ValueMask;
import io.pgferry.core.value.BuiltinTypes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaskFileTest {
    private static final Relation CUSTOMERS = new Relation(
            1,
            "public",
            "customers",
            ReplicaIdentity.DEFAULT,
            List.of(
                    new Column("id", BuiltinTypes.INT4, -1, true),
                    new Column("email", BuiltinTypes.TEXT, -1, false),
                    new Column("note", BuiltinTypes.VARCHAR, -1, false),
                    new Column("born", BuiltinTypes.DATE, -1, false)));

    @TempDir
    Path dir;

    private ValueMask.TableMask load(String yaml) throws Exception {
        Path f = dir.resolve("masks.yaml");
        Files.writeString(f, yaml);
        return MaskFile.load(f, UnaryOperator.identity()).of(CUSTOMERS, BuiltinTypes.builtin());
    }

    @Test
    void everyTransform() throws Exception {
        ValueMask.TableMask m = load(
                """
                key: a-key-of-sixteen-bytes
                columns:
                  - {table: customers, column: email, transform: hash}
                  - {table: "public.*", column: born, transform: fixed, value: "1970-01-01"}
                rules:
                  - {rule: credit-card, transform: partial}
                  - {rule: ssn, transform: redact}
                """);
        assertThat(m.masks(0)).isFalse();
        String h = m.apply(1, "jane@example.org");
        assertThat(h).matches("[0-9a-f]{32}").isEqualTo(m.apply(1, "jane@example.org"));
        assertThat(m.apply(1, "john@example.org")).isNotEqualTo(h);
        assertThat(m.lossy(1)).isFalse();
        assertThat(m.apply(3, "1990-05-17")).isEqualTo("1970-01-01");
        assertThat(m.lossy(3)).isTrue();
        assertThat(m.apply(2, "card 4111 1111 1111 1111, ssn 219-09-9999."))
                .isEqualTo("card 41***************11, ssn ***********.");
        assertThat(m.apply(2, "nothing")).isEqualTo("nothing");
        assertThat(m.lossy(2)).isTrue();
    }

    @Test
    void aTextTransformOnANonTextColumnIsRefused() {
        assertThatThrownBy(() -> load("columns:\n  - {table: customers, column: born, transform: partial}\n"))
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("customers.born, which is not a text column");
    }

    @Test
    void refusesWhatItCannotHonour() {
        assertThatThrownBy(() -> load("columns:\n  - {table: t, column: c, transform: hash}\n"))
                .hasMessageContaining("hash without a key");
        assertThatThrownBy(() -> load("rules:\n  - {rule: passport, transform: redact}\n"))
                .hasMessageContaining("names rule passport");
        assertThatThrownBy(() -> load("rules:\n  - {rule: ssn, transform: fixed}\n"))
                .hasMessageContaining("masks matches with fixed");
        assertThatThrownBy(() -> load("colums: []\n")).hasMessageContaining("unknown key 'colums'");
        assertThatThrownBy(() -> load("columns:\n  - {table: t, column: c, transform: fixed}\n"))
                .hasMessageContaining("fixed without it");
        assertThatThrownBy(() -> load("key: short\ncolumns:\n  - {table: t, column: c, transform: hash}\n"))
                .hasMessageContaining("shorter than 16 bytes");
    }

    @Test
    void aTableNoMaskCoversHasNone() throws Exception {
        assertThat(load("columns:\n  - {table: orders, column: email, transform: redact}\n"))
                .isNull();
    }
}
