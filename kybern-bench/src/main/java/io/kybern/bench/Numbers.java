package io.kybern.bench;

import java.util.Locale;

/** Number formats for tables and summary lines: enough digits to compare, no false precision. */
final class Numbers {

    private Numbers() {
    }

    /** Three significant figures or so, at least three decimals below 1; whole numbers without decimals. */
    static String figure(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "n/a";
        }
        double magnitude = Math.abs(value);
        String format;
        if (magnitude >= 100 || value == Math.rint(value)) {
            format = "%.0f";
        } else if (magnitude >= 10) {
            format = "%.1f";
        } else if (magnitude >= 1) {
            format = "%.2f";
        } else {
            format = "%.3f";
        }
        return String.format(Locale.ROOT, format, value);
    }

    /** Milliseconds: down to microseconds below 1 ms, three significant figures up to 100 ms. */
    static String millis(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "n/a";
        }
        double magnitude = Math.abs(value);
        String format = magnitude < 1 ? "%.3f" : magnitude < 10 ? "%.2f" : magnitude < 100 ? "%.1f" : "%.0f";
        return String.format(Locale.ROOT, format, value);
    }

    /** A plain decimal with at most two decimals and no trailing zeros: 30, 2.5, 0.02. */
    static String plain(double value) {
        return java.math.BigDecimal.valueOf(Math.round(value * 100) / 100.0).stripTrailingZeros().toPlainString();
    }

    /** Two decimals, as ratios and milliseconds appear in summary lines. */
    static String fixed2(double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "n/a" : String.format(Locale.ROOT, "%.2f", value);
    }

    /** Whole operations per second. */
    static String whole(double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "n/a" : String.format(Locale.ROOT, "%.0f", value);
    }

    /** {@code a / b}, NaN when it means nothing. */
    static double ratio(double a, double b) {
        return b == 0 || Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : a / b;
    }
}
