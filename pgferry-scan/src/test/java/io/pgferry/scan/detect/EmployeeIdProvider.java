package io.pgferry.scan.detect;

/**
 * A custom detector as a user writes one, registered in this module's test resources
 * ({@code META-INF/services/io.pgferry.scan.detect.DetectorProvider}): employee ids {@code EMP-} and six digits.
 */
public final class EmployeeIdProvider implements DetectorProvider {
    @Override
    public String name() {
        return "employee_id";
    }

    @Override
    public Detector create() {
        return (value, out) -> {
            int from = 0;
            int at;
            while ((at = value.indexOf("EMP-", from)) >= 0) {
                int end = at + 4;
                while (end < value.length() && end - at < 10 && Character.isDigit(value.charAt(end))) {
                    end++;
                }
                if (end - at == 10) {
                    out.match(at, end);
                }
                from = at + 4;
            }
        };
    }
}
