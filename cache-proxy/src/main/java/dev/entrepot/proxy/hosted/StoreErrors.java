package dev.entrepot.proxy.hosted;

import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import java.io.IOException;
import java.util.Map;
import org.jboss.logging.Logger;

/** How a failure of the hosted store reads to a client: expected outcomes pass, a full disk says so, bugs are 500. */
final class StoreErrors {
    private static final Logger LOG = Logger.getLogger(StoreErrors.class);

    private StoreErrors() {
    }

    static OciException toOci(Throwable failure, String what) {
        if (failure instanceof OciException oci) {
            return oci;
        }
        if (isDiskFull(failure)) {
            LOG.errorf("storage full while %s: %s", what, failure.getMessage());
            return new OciException(OciErrorCode.UNAVAILABLE, 507, "the registry's storage is full; " + what
                    + " was not stored (nothing else changed): " + failure.getMessage(), Map.of());
        }
        LOG.errorf(failure, "storage failure while %s", what);
        return new OciException(OciErrorCode.UNKNOWN, "storage failure while " + what + ": " + failure);
    }

    static boolean isDiskFull(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IOException && t.getMessage() != null
                    && (t.getMessage().contains("No space left") || t.getMessage().contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }
}
