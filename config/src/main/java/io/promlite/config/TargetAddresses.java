package io.promlite.config;

/** Validation of static target addresses, which must be plain {@code host:port}. */
final class TargetAddresses {
    private TargetAddresses() {
    }

    /** The problem with {@code address}, or null when it is a usable {@code host:port}. */
    static String check(String address) {
        if (address.contains("/")) {
            // Prometheus's wording, plus what to do instead.
            return "\"" + address + "\" is not a valid hostname: targets are \"host:port\";"
                    + " set scheme and metrics_path on the scrape config";
        }
        int colon;
        String host;
        if (address.startsWith("[")) {
            int close = address.indexOf(']');
            if (close < 0 || close + 1 >= address.length() || address.charAt(close + 1) != ':') {
                return notHostPort(address);
            }
            host = address.substring(1, close);
            colon = close + 1;
        } else {
            colon = address.lastIndexOf(':');
            if (colon < 0 || address.indexOf(':') != colon) {
                return notHostPort(address);
            }
            host = address.substring(0, colon);
        }
        if (host.isEmpty() || host.chars().anyMatch(Character::isWhitespace)) {
            return notHostPort(address);
        }
        String port = address.substring(colon + 1);
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')
                || Integer.parseInt(port) == 0 || Integer.parseInt(port) > 65535) {
            return notHostPort(address);
        }
        return null;
    }

    private static String notHostPort(String address) {
        return "\"" + address + "\" is not a valid \"host:port\" target address";
    }
}
