package dev.entrepot.proxy.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files a configuration names (credentials, passwords, keys, certificates, headers), each with the key that
 * names it, so a start-up check can say which one cannot be read, and where it is referred to.
 */
public final class ReferencedFiles {
    private ReferencedFiles() {
    }

    /** {@code key → file}, in the file's order. */
    public static Map<String, Path> of(EntrepotConfig config) {
        Map<String, Path> files = new LinkedHashMap<>();
        for (int i = 0; i < config.repositories().size(); i++) {
            EntrepotConfig.Repository r = config.repositories().get(i);
            if (r.remote() != null && r.remote().credentials() != null) {
                String at = "repositories[" + i + "].remote.credentials.";
                files.put(at + "usernameFile", r.remote().credentials().usernameFile());
                files.put(at + "passwordFile", r.remote().credentials().passwordFile());
            }
        }
        for (int i = 0; i < config.auth().users().size(); i++) {
            files.put("auth.users[" + i + "].passwordFile", config.auth().users().get(i).passwordFile());
        }
        if (config.auth().token() != null && config.auth().token().signingKeyFile() != null) {
            files.put("auth.token.signingKeyFile", config.auth().token().signingKeyFile());
        }
        if (config.tls() != null) {
            files.put("tls.certFile", config.tls().certFile());
            files.put("tls.keyFile", config.tls().keyFile());
        }
        List<EntrepotConfig.Endpoint> endpoints = config.notifications().endpoints();
        for (int i = 0; i < endpoints.size(); i++) {
            if (endpoints.get(i).headersFile() != null) {
                files.put("notifications.endpoints[" + i + "].headersFile", endpoints.get(i).headersFile());
            }
        }
        files.values().removeIf(p -> p == null);
        return files;
    }

    /** One line per file that cannot be read: {@code key: file cannot be read (why)}. */
    public static List<String> unreadable(EntrepotConfig config) {
        List<String> problems = new ArrayList<>();
        of(config).forEach((key, file) -> {
            if (!Files.exists(file)) {
                problems.add(key + ": " + file + " does not exist");
            } else if (!Files.isRegularFile(file)) {
                problems.add(key + ": " + file + " is not a file");
            } else if (!Files.isReadable(file)) {
                problems.add(key + ": " + file + " cannot be read (permissions)");
            }
        });
        return problems;
    }
}
