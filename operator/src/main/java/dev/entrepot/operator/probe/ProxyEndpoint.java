package dev.entrepot.operator.probe;

import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import java.net.URI;

/**
 * How the operator reaches a namespace's proxy through its Service: over HTTPS when the proxy serves TLS (trusting
 * exactly the certificates of the namespace's TLS Secret), and as the operator user when the proxy needs
 * credentials for its listing.
 *
 * @param trustedCertificates PEM of the certificates the proxy may present; null for plain HTTP
 * @param username null: anonymous
 */
public record ProxyEndpoint(String namespace, String trustedCertificates, String username, String password) {

    public static ProxyEndpoint plain(String namespace) {
        return new ProxyEndpoint(namespace, null, null, null);
    }

    public boolean https() {
        return trustedCertificates != null;
    }

    /** The proxy Service by its in-cluster DNS name; resolvable only from a pod of the cluster. */
    public URI base() {
        return URI.create((https() ? "https" : "http") + "://" + ProxyWorkloadRenderer.NAME + "." + namespace + ".svc:"
                + ProxyWorkloadRenderer.PORT);
    }

    /** Keeps the password out of logs and exception messages. */
    @Override
    public String toString() {
        return "ProxyEndpoint[" + base() + (username == null ? "" : ", as " + username) + "]";
    }
}
