package io.pgferry.cli.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.cli.command.ConfigurationError;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code verify --table} values as the verifier matches them (issue 6: a comma-separated list was taken as one table
 * name).
 */
class VerifyTableFiltersTest {
    private final CommandLine cl = new CommandLine(new VerifyCommand());

    @Test
    void aListIsSplitAndAnUnqualifiedNameStaysUnqualified() {
        assertThat(VerifyCommand.tableFilters(cl, List.of("orders, public.tags", "audit.log")))
                .containsExactly("orders", "public.tags", "audit.log");
    }

    @Test
    void quotedNamesKeepTheirCaseDotsAndCommas() {
        assertThat(VerifyCommand.tableFilters(cl, List.of("\"Sales\".\"Orders\",\"a.b,c\"")))
                .containsExactly("Sales.Orders", "a.b,c");
    }

    @Test
    void aMalformedListIsAUsageError() {
        assertThatThrownBy(() -> VerifyCommand.tableFilters(cl, List.of("orders,,tags")))
                .isInstanceOf(ConfigurationError.class);
    }
}
