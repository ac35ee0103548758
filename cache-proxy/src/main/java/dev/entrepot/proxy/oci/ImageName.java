package dev.entrepot.proxy.oci;

import java.util.regex.Pattern;

/** An image name inside a repository ({@code library/nginx}), validated against the spec's grammar. */
public record ImageName(String value) {
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*");
    private static final int MAX_LENGTH = 255;

    public ImageName {
        if (!isValid(value)) {
            throw new OciException(OciErrorCode.NAME_INVALID, "invalid image name: " + value);
        }
    }

    public static boolean isValid(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
            return false;
        }
        for (String component : value.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                return false;
            }
        }
        return true;
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
