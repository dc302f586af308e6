package io.pgferry.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ClusterConfigTest {

    @Test
    void quotesValuesForPostgresqlConf() {
        assertThat(ClusterConfig.quote("logical")).isEqualTo("'logical'");
        assertThat(ClusterConfig.quote("it's")).isEqualTo("'it''s'");
        assertThat(ClusterConfig.quote("a\\b")).isEqualTo("'a\\\\b'");
    }

    @Test
    void rejectsSettingNamesThatCouldInjectLines() {
        assertThatThrownBy(() -> ClusterConfig.validateName("fsync = off\nssl"))
                .isInstanceOf(IllegalArgumentException.class);
        ClusterConfig.validateName("auto_explain.log_min_duration");
    }

    @Test
    void defaultsFollowFsyncChoice() {
        assertThat(ClusterConfig.defaults(false))
                .containsEntry("wal_level", "logical")
                .containsEntry("fsync", "off")
                .containsEntry("synchronous_commit", "off")
                .containsEntry("full_page_writes", "off");
        assertThat(ClusterConfig.defaults(true)).containsEntry("fsync", "on");
    }
}
