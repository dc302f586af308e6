package io.pgferry.core.value;

/**
 * The interval text forms (PostgreSQL docs, "Interval Output"; src/backend/utils/adt/datetime.c, EncodeInterval).
 *
 * <p>IntervalStyle {@code postgres}: the nonzero year, month and day fields as {@code "<n> year"}, {@code mon},
 * {@code day}, with an "s" unless n is 1, then the time as {@code [-]HH:MM:SS[.ffffff]} when it is nonzero or all
 * else is zero. The fields come from truncating division, so each carries its own sign; a positive field after a
 * negative one gets an explicit {@code +} (the rule looks only at the field just before). Hours are not limited to
 * 24.
 */
final class IntervalText {
    private static final long USECS_PER_SECOND = 1_000_000L;
    private static final long USECS_PER_MINUTE = 60 * USECS_PER_SECOND;
    private static final long USECS_PER_HOUR = 60 * USECS_PER_MINUTE;

    private IntervalText() {}

    static String format(PgInterval v) {
        StringBuilder sb = new StringBuilder(48);
        // Each nonzero field decides whether the next positive one needs a '+', as in AddPostgresIntPart.
        boolean before = false;
        before = appendField(sb, v.months() / 12, "year", before);
        before = appendField(sb, v.months() % 12, "mon", before);
        before = appendField(sb, v.days(), "day", before);
        long time = v.microseconds();
        if (sb.length() == 0 || time != 0) {
            long hours = time / USECS_PER_HOUR;
            time -= hours * USECS_PER_HOUR;
            long minutes = time / USECS_PER_MINUTE;
            time -= minutes * USECS_PER_MINUTE;
            long seconds = time / USECS_PER_SECOND;
            long micros = time - seconds * USECS_PER_SECOND;
            boolean minus = hours < 0 || minutes < 0 || seconds < 0 || micros < 0;
            if (sb.length() > 0) {
                sb.append(' ');
            }
            if (minus) {
                sb.append('-');
            } else if (before) {
                sb.append('+');
            }
            DateTimeText.pad(sb, Math.abs(hours), 2);
            sb.append(':');
            DateTimeText.pad(sb, Math.abs(minutes), 2);
            sb.append(':');
            DateTimeText.pad(sb, Math.abs(seconds), 2);
            DateTimeText.appendFraction(sb, Math.abs(micros), 6);
        }
        return sb.toString();
    }

    private static boolean appendField(StringBuilder sb, int value, String unit, boolean before) {
        if (value == 0) {
            return before;
        }
        if (sb.length() > 0) {
            sb.append(' ');
        }
        if (before && value > 0) {
            sb.append('+');
        }
        sb.append(value).append(' ').append(unit);
        if (value != 1) {
            sb.append('s');
        }
        return value < 0;
    }

    /** A {@link PgInterval}, or a {@link Special} infinity. */
    static Object parse(String s) {
        if (s.equals("infinity")) {
            return Special.POSITIVE_INFINITY;
        }
        if (s.equals("-infinity")) {
            return Special.NEGATIVE_INFINITY;
        }
        if (s.startsWith("P")) {
            return parseIso(s);
        }
        return parseWords(s);
    }

    /** postgres style and postgres_verbose style ({@code @ 1 year 2 mons -3 days 4 hours 5 mins 6.7 secs ago}). */
    private static PgInterval parseWords(String s) {
        String[] tokens = s.trim().split(" +");
        int i = 0;
        if (tokens[0].equals("@")) {
            i++;
            // postgres_verbose prints a zero interval as a bare "@ 0".
            if (tokens.length == 2 && tokens[1].equals("0")) {
                return new PgInterval(0, 0, 0);
            }
        }
        long months = 0;
        long days = 0;
        long micros = 0;
        boolean ago = false;
        boolean any = false;
        while (i < tokens.length) {
            String t = tokens[i];
            if (t.equals("ago") && i == tokens.length - 1) {
                ago = true;
                i++;
                continue;
            }
            if (t.indexOf(':') >= 0) {
                micros = Math.addExact(micros, clock(t));
                any = true;
                i++;
                continue;
            }
            if (i + 1 >= tokens.length) {
                throw new BadValueException("interval number without a unit");
            }
            String unit = tokens[i + 1];
            switch (unit) {
                case "year", "years" -> months = Math.addExact(months, Math.multiplyExact(integer(t), 12));
                case "mon", "mons" -> months = Math.addExact(months, integer(t));
                case "day", "days" -> days = Math.addExact(days, integer(t));
                case "hour", "hours" -> micros = Math.addExact(micros, Math.multiplyExact(integer(t), USECS_PER_HOUR));
                case "min", "mins" -> micros = Math.addExact(micros, Math.multiplyExact(integer(t), USECS_PER_MINUTE));
                case "sec", "secs" -> micros = Math.addExact(micros, seconds(t));
                default -> throw new BadValueException("unknown interval unit");
            }
            any = true;
            i += 2;
        }
        if (!any) {
            throw new BadValueException("empty interval");
        }
        if (ago) {
            months = Math.negateExact(months);
            days = Math.negateExact(days);
            micros = Math.negateExact(micros);
        }
        return new PgInterval(Math.toIntExact(months), Math.toIntExact(days), micros);
    }

    /** iso_8601 style: {@code P1Y2M3DT4H5M6.789S}, each field with its own optional sign. */
    private static PgInterval parseIso(String s) {
        long months = 0;
        long days = 0;
        long micros = 0;
        boolean time = false;
        int i = 1;
        while (i < s.length()) {
            if (s.charAt(i) == 'T') {
                time = true;
                i++;
                continue;
            }
            int start = i;
            while (i < s.length() && "+-0123456789.".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            if (i == start || i == s.length()) {
                throw new BadValueException("ISO 8601 interval field without a number or a designator");
            }
            String n = s.substring(start, i);
            char designator = s.charAt(i++);
            if (!time && designator == 'Y') {
                months = Math.addExact(months, Math.multiplyExact(integer(n), 12));
            } else if (!time && designator == 'M') {
                months = Math.addExact(months, integer(n));
            } else if (!time && designator == 'D') {
                days = Math.addExact(days, integer(n));
            } else if (time && designator == 'H') {
                micros = Math.addExact(micros, Math.multiplyExact(integer(n), USECS_PER_HOUR));
            } else if (time && designator == 'M') {
                micros = Math.addExact(micros, Math.multiplyExact(integer(n), USECS_PER_MINUTE));
            } else if (time && designator == 'S') {
                micros = Math.addExact(micros, seconds(n));
            } else {
                throw new BadValueException("unknown ISO 8601 interval designator");
            }
        }
        return new PgInterval(Math.toIntExact(months), Math.toIntExact(days), micros);
    }

    /** {@code [+-]H+:MM:SS[.ffffff]}: the sign applies to the whole clock. */
    private static long clock(String t) {
        boolean negative = t.charAt(0) == '-';
        String body = t.charAt(0) == '-' || t.charAt(0) == '+' ? t.substring(1) : t;
        int c1 = body.indexOf(':');
        int c2 = body.indexOf(':', c1 + 1);
        if (c1 < 1 || c2 != c1 + 3) {
            throw new BadValueException("interval time not in the form HH:MM:SS");
        }
        long hours = unsigned(body.substring(0, c1));
        long minutes = unsigned(body.substring(c1 + 1, c2));
        // Accumulate towards the sign so that the most negative interval (-2562047788:00:54.775808) fits a long.
        long sign = negative ? -1 : 1;
        long v = Math.multiplyExact(sign * hours, USECS_PER_HOUR);
        v = Math.addExact(v, sign * minutes * USECS_PER_MINUTE);
        return Math.addExact(v, unsignedSeconds(body.substring(c2 + 1), negative));
    }

    /** Seconds with an optional sign and fraction of up to six digits, in microseconds. */
    private static long seconds(String t) {
        boolean negative = t.charAt(0) == '-';
        String body = t.charAt(0) == '-' || t.charAt(0) == '+' ? t.substring(1) : t;
        return unsignedSeconds(body, negative);
    }

    private static long unsignedSeconds(String body, boolean negative) {
        int dot = body.indexOf('.');
        long whole = unsigned(dot < 0 ? body : body.substring(0, dot));
        long fraction = 0;
        if (dot >= 0) {
            String f = body.substring(dot + 1);
            if (f.length() > 6) {
                throw new BadValueException("interval seconds with more than six fractional digits");
            }
            fraction = unsigned(f + "000000".substring(f.length()));
        }
        long sign = negative ? -1 : 1;
        return Math.addExact(Math.multiplyExact(sign * whole, USECS_PER_SECOND), sign * fraction);
    }

    private static long integer(String t) {
        boolean negative = t.charAt(0) == '-';
        String body = t.charAt(0) == '-' || t.charAt(0) == '+' ? t.substring(1) : t;
        long v = unsigned(body);
        return negative ? -v : v;
    }

    private static long unsigned(String s) {
        if (s.isEmpty() || s.length() > 18) {
            throw new BadValueException("expected one to eighteen digits");
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new BadValueException("expected a decimal digit");
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
