package dev.entrepot.proxy.store;

import dev.entrepot.proxy.oci.ImageName;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/** Upload sessions of hosted repositories, kept across restarts until committed, cancelled or expired. */
public interface UploadStore {

    UploadSession create(String repository, ImageName name) throws IOException;

    /** The session, or empty when it never existed, was committed, cancelled or expired. */
    Optional<UploadSession> find(String id) throws IOException;

    /** Ends the sessions that received nothing for {@code idle}; returns how many. */
    int expire(Duration idle) throws IOException;

    /** Sessions open now. */
    int count() throws IOException;
}
