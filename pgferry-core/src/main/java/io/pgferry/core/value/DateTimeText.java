package io.pgferry.core.value;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;

/**
 * Date and time text forms with DateStyle ISO (PostgreSQL docs, "Date/Time Output"; src/backend/utils/adt/datetime.c,
 * EncodeDateOnly / EncodeTimeOnly / EncodeDateTime / EncodeTimezone):
 *
 * <ul>
 *   <li>date: {@code YYYY-MM-DD}, the year zero-padded to at least four digits, years before 1 AD written as the
 *       positive BC year with a {@code " BC"} suffix (year 0 of the proleptic calendar is 1 BC);
 *   <li>time: {@code HH:MM:SS} plus {@code .ffffff} without trailing zeros when there is a fraction; {@code 24:00:00}
 *       is a valid time and maps to {@link LocalTime#MAX}, which no microsecond value can be;
 *   <li>time zone: {@code +HH}, {@code +HH:MM} when minutes are not zero, {@code +HH:MM:SS} when seconds are not;
 *   <li>timestamp: date, a space, time, time zone (timestamptz), then {@code " BC"};
 *   <li>{@code infinity} and {@code -infinity} for date, timestamp and timestamptz.
 * </ul>
 */
final class DateTimeText {
    private DateTimeText() {}

    static Object parseDate(String s) {
        Special special = infinity(s);
        if (special != null) {
            return special;
        }
        boolean bc = s.endsWith(" BC");
        return date(bc ? s.substring(0, s.length() - 3) : s, bc);
    }

    static Object parseTimestamp(String s) {
        Special special = infinity(s);
        if (special != null) {
            return special;
        }
        boolean bc = s.endsWith(" BC");
        String body = bc ? s.substring(0, s.length() - 3) : s;
        int space = body.indexOf(' ');
        if (space < 0) {
            throw new BadValueException("timestamp without a space between date and time");
        }
        return LocalDateTime.of(date(body.substring(0, space), bc), time(body.substring(space + 1)));
    }

    static Object parseTimestampTz(String s) {
        Special special = infinity(s);
        if (special != null) {
            return special;
        }
        boolean bc = s.endsWith(" BC");
        String body = bc ? s.substring(0, s.length() - 3) : s;
        int space = body.indexOf(' ');
        if (space < 0) {
            throw new BadValueException("timestamp without a space between date and time");
        }
        String rest = body.substring(space + 1);
        int tz = zoneStart(rest);
        return OffsetDateTime.of(
                date(body.substring(0, space), bc), time(rest.substring(0, tz)), offset(rest.substring(tz)));
    }

    static LocalTime parseTime(String s) {
        return time(s);
    }

    static OffsetTime parseTimeTz(String s) {
        int tz = zoneStart(s);
        return OffsetTime.of(time(s.substring(0, tz)), offset(s.substring(tz)));
    }

    private static Special infinity(String s) {
        if (s.equals("infinity")) {
            return Special.POSITIVE_INFINITY;
        }
        if (s.equals("-infinity")) {
            return Special.NEGATIVE_INFINITY;
        }
        return null;
    }

    private static LocalDate date(String s, boolean bc) {
        int d1 = s.indexOf('-');
        int d2 = d1 < 0 ? -1 : s.indexOf('-', d1 + 1);
        if (d1 < 4 || d2 != d1 + 3 || s.length() != d2 + 3) {
            throw new BadValueException("date not in the form YYYY-MM-DD");
        }
        int year = digits(s, 0, d1);
        return LocalDate.of(bc ? 1 - year : year, digits(s, d1 + 1, d2), digits(s, d2 + 1, s.length()));
    }

    private static LocalTime time(String s) {
        if (s.length() < 8 || s.charAt(2) != ':' || s.charAt(5) != ':') {
            throw new BadValueException("time not in the form HH:MM:SS");
        }
        int hour = digits(s, 0, 2);
        int minute = digits(s, 3, 5);
        int second = digits(s, 6, 8);
        int nanos = 0;
        if (s.length() > 8) {
            int digits = s.length() - 9;
            if (s.charAt(8) != '.' || digits < 1 || digits > 9) {
                throw new BadValueException("time fraction not in the form .ffffff");
            }
            nanos = digits(s, 9, s.length());
            for (int i = digits; i < 9; i++) {
                nanos *= 10;
            }
        }
        if (hour == 24 && minute == 0 && second == 0 && nanos == 0) {
            return LocalTime.MAX;
        }
        return LocalTime.of(hour, minute, second, nanos);
    }

    /** Index of the zone's sign after a time of day; the time itself has no sign. */
    private static int zoneStart(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+' || c == '-') {
                return i;
            }
        }
        throw new BadValueException("time with time zone without a zone offset");
    }

    private static ZoneOffset offset(String s) {
        int sign = s.charAt(0) == '-' ? -1 : 1;
        int len = s.length();
        if ((len != 3 && len != 6 && len != 9) || (len > 3 && s.charAt(3) != ':') || (len > 6 && s.charAt(6) != ':')) {
            throw new BadValueException("zone offset not in the form +HH[:MM[:SS]]");
        }
        int h = digits(s, 1, 3);
        int m = len > 3 ? digits(s, 4, 6) : 0;
        int sec = len > 6 ? digits(s, 7, 9) : 0;
        return ZoneOffset.ofTotalSeconds(sign * (h * 3600 + m * 60 + sec));
    }

    /** The non-negative decimal number in s[from, to); at most nine digits. */
    private static int digits(String s, int from, int to) {
        if (to <= from || to - from > 9) {
            throw new BadValueException("expected one to nine digits");
        }
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new BadValueException("expected a decimal digit");
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    static String formatDate(LocalDate d) {
        StringBuilder sb = new StringBuilder(16);
        appendDate(sb, d);
        appendEra(sb, d);
        return sb.toString();
    }

    static String formatTime(LocalTime t) {
        StringBuilder sb = new StringBuilder(15);
        appendTime(sb, t);
        return sb.toString();
    }

    static String formatTimeTz(OffsetTime t) {
        StringBuilder sb = new StringBuilder(24);
        appendTime(sb, t.toLocalTime());
        appendOffset(sb, t.getOffset());
        return sb.toString();
    }

    static String formatTimestamp(LocalDateTime t) {
        StringBuilder sb = new StringBuilder(32);
        appendDate(sb, t.toLocalDate());
        sb.append(' ');
        appendTime(sb, t.toLocalTime());
        appendEra(sb, t.toLocalDate());
        return sb.toString();
    }

    static String formatTimestampTz(OffsetDateTime t) {
        StringBuilder sb = new StringBuilder(40);
        appendDate(sb, t.toLocalDate());
        sb.append(' ');
        appendTime(sb, t.toLocalTime());
        appendOffset(sb, t.getOffset());
        appendEra(sb, t.toLocalDate());
        return sb.toString();
    }

    static String formatInfinity(Special s) {
        return switch (s) {
            case POSITIVE_INFINITY -> "infinity";
            case NEGATIVE_INFINITY -> "-infinity";
            case NAN -> throw new BadValueException("a date or time cannot be NaN");
        };
    }

    private static void appendDate(StringBuilder sb, LocalDate d) {
        int year = d.getYear();
        pad(sb, year > 0 ? year : 1 - year, 4);
        sb.append('-');
        pad(sb, d.getMonthValue(), 2);
        sb.append('-');
        pad(sb, d.getDayOfMonth(), 2);
    }

    private static void appendEra(StringBuilder sb, LocalDate d) {
        if (d.getYear() <= 0) {
            sb.append(" BC");
        }
    }

    private static void appendTime(StringBuilder sb, LocalTime t) {
        if (t.equals(LocalTime.MAX)) {
            sb.append("24:00:00");
            return;
        }
        pad(sb, t.getHour(), 2);
        sb.append(':');
        pad(sb, t.getMinute(), 2);
        sb.append(':');
        pad(sb, t.getSecond(), 2);
        appendFraction(sb, t.getNano(), 9);
    }

    /** Appends "." and the fraction's digits (of a number with the given count of digits) without trailing zeros. */
    static void appendFraction(StringBuilder sb, long fraction, int width) {
        if (fraction == 0) {
            return;
        }
        int digits = width;
        while (fraction % 10 == 0) {
            fraction /= 10;
            digits--;
        }
        sb.append('.');
        pad(sb, fraction, digits);
    }

    private static void appendOffset(StringBuilder sb, ZoneOffset offset) {
        int total = offset.getTotalSeconds();
        int abs = Math.abs(total);
        sb.append(total >= 0 ? '+' : '-');
        pad(sb, abs / 3600, 2);
        int minutes = abs / 60 % 60;
        int seconds = abs % 60;
        if (seconds != 0) {
            sb.append(':');
            pad(sb, minutes, 2);
            sb.append(':');
            pad(sb, seconds, 2);
        } else if (minutes != 0) {
            sb.append(':');
            pad(sb, minutes, 2);
        }
    }

    static void pad(StringBuilder sb, long value, int width) {
        String s = Long.toString(value);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        sb.append(s);
    }
}
