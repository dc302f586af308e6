package io.pgferry.core.value;

import static io.pgferry.core.value.BuiltinTypes.CIDR;
import static io.pgferry.core.value.BuiltinTypes.INET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InetTest {
    private static Inet text(int oid, String s) {
        return (Inet) PgValues.fromText(oid, s, null);
    }

    @Test
    void ipv4() {
        Inet host = text(INET, "192.168.0.1");
        assertThat(host.address()).isInstanceOf(Inet4Address.class);
        assertThat(host.address().getAddress()).containsExactly(192, 168, 0, 1);
        assertThat(host.prefixLength()).isEqualTo(32);
        assertThat(host).hasToString("192.168.0.1");
        Inet net = text(INET, "10.1.2.3/8");
        assertThat(net.prefixLength()).isEqualTo(8);
        assertThat(PgValues.render(CIDR, text(CIDR, "1.2.3.4/32"), null)).isEqualTo("1.2.3.4/32");
        assertThat(PgValues.render(INET, text(INET, "1.2.3.4/32"), null)).isEqualTo("1.2.3.4");
    }

    @Test
    void ipv6KeepsItsFamilyEvenWhenIpv4Mapped() {
        Inet mapped = text(INET, "::ffff:1.2.3.4");
        assertThat(mapped.address()).isInstanceOf(Inet6Address.class);
        assertThat(mapped.prefixLength()).isEqualTo(128);
        assertThat(mapped.address().getAddress()).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4);
        assertThat(mapped).hasToString("::ffff:1.2.3.4");
        Inet net = text(CIDR, "2001:db8::/32");
        assertThat(net.prefixLength()).isEqualTo(32);
        assertThat(PgValues.render(CIDR, net, null)).isEqualTo("2001:db8::/32");
        assertThat(PgValues.render(CIDR, text(CIDR, "::/0"), null)).isEqualTo("::/0");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "::ffff:1.2.3.4",
                "::1.2.3.4",
                "::2",
                "::102",
                "::",
                "::1",
                "2001:db8::1:0:0:1/64",
                "fe80::1:2:3:4",
                "1::2:0:0:3:4",
                "1:0:0:1::1",
                "::ffff:0.0.0.0",
                "::1:0:0",
                "1:2:3:4:5:6:7:8",
                "1::",
                "1:2:3:4:5:6::",
                "1:2:3:4:5:6:7:0",
                "1:0:0:2::3",
                "::1:0:0:1:0:0"
            })
    void ipv6AsPostgresPrintsIt(String pg) {
        assertThat(text(INET, pg)).hasToString(pg);
    }

    @Test
    void binary() {
        byte[] b = Bin.hex("0380001000000000000000000000ffff01020304");
        Inet v = (Inet) PgValues.fromBinary(INET, b, 0, b.length, null);
        assertThat(v.address()).isInstanceOf(Inet6Address.class);
        assertThat(PgValues.binaryToText(INET, b, 0, b.length, null)).isEqualTo("::ffff:1.2.3.4");
        byte[] c = Bin.hex("020801040a000000");
        assertThat(PgValues.binaryToText(CIDR, c, 0, c.length, null)).isEqualTo("10.0.0.0/8");
        assertThatThrownBy(() -> PgValues.fromBinary(INET, Bin.hex("0220000401020304ff"), 0, 9, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformed() {
        for (String bad : new String[] {"1.2.3", "1.2.3.256", "1.2.3.4/33", "1:2:3", "1::2::3", "::/129", "g::1"}) {
            assertThatThrownBy(() -> text(INET, bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Property(tries = 2000)
    void ipv6TextRoundTrip(@ForAll("ipv6") byte[] address, @ForAll @IntRange(min = 0, max = 128) int prefix) {
        Inet v = new Inet(InetText.address(address), prefix);
        assertThat(text(INET, v.toString())).isEqualTo(v);
        assertThat(text(CIDR, PgValues.render(CIDR, v, null))).isEqualTo(v);
    }

    @Provide
    Arbitrary<byte[]> ipv6() {
        // Mostly zero bytes, so that runs of zero groups (and their compression) are common.
        return Arbitraries.bytes()
                .map(b -> b % 3 == 0 ? b : 0)
                .array(byte[].class)
                .ofSize(16);
    }
}
