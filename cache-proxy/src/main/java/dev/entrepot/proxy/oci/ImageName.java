package dev.entrepot.proxy.oci;

/** An image name inside a repository ({@code library/nginx}), validated against the spec's grammar. */
public record ImageName(String value) {
    private static final int MAX_LENGTH = 255;

    public ImageName {
        if (!isValid(value)) {
            throw new OciException(OciErrorCode.NAME_INVALID, "invalid image name: " + value);
        }
    }

    /**
     * The spec's grammar, {@code [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*} per {@code /}-separated component, checked in one
     * pass without a regex: it runs on every request.
     */
    public static boolean isValid(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
            return false;
        }
        char separator = 0; // the separator run since the last letter or digit: 0 none, '.', '_' or '-'
        int run = 0;
        boolean inComponent = false; // a letter or digit seen since the last '/'
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
                inComponent = true;
                separator = 0;
                run = 0;
            } else if (c == '/') {
                if (!inComponent || separator != 0) {
                    return false;
                }
                inComponent = false;
            } else if (c == '.' || c == '_' || c == '-') {
                if (!inComponent || separator != 0 && separator != c) {
                    return false;
                }
                separator = c;
                run++;
                if (c == '.' && run > 1 || c == '_' && run > 2) {
                    return false;
                }
            } else {
                return false;
            }
        }
        return inComponent && separator == 0;
    }

    /** Docker Hub keeps official images under {@code library/}; clients may omit it. */
    public ImageName withDockerHubLibrary() {
        return value.indexOf('/') < 0 ? new ImageName("library/" + value) : this;
    }

    @Override
    public String toString() {
        return value;
    }
}
