package io.pgferry.core.value;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An inet or cidr value: an address and its netmask length. IPv4 addresses are {@link Inet4Address}es; IPv6 ones
 * (IPv4-mapped ones included, which {@link InetAddress#getByAddress(byte[])} would turn into IPv4) are
 * {@link java.net.Inet6Address}es, so the address family PostgreSQL stored is never lost. Built without DNS.
 */
public record Inet(InetAddress address, int prefixLength) {
    public Inet {
        Objects.requireNonNull(address, "address");
        int max = maxPrefix(address);
        if (prefixLength < 0 || prefixLength > max) {
            throw new BadValueException("netmask length " + prefixLength + " is outside 0.." + max);
        }
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    /** The largest netmask length of the address's family: 32 or 128. */
    static int maxPrefix(InetAddress address) {
        return address instanceof Inet4Address ? 32 : 128;
    }

    /** The inet output form: the netmask length is left out when it covers the whole address. */
    @Override
    public String toString() {
        return InetText.format(this, false);
    }
}
