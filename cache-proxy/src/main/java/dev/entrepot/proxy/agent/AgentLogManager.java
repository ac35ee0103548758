package dev.entrepot.proxy.agent;

import java.util.logging.LogManager;

/**
 * JUL's own shutdown hook resets the log manager, which closes every handler while the agent's
 * hook still logs what it restored; this one keeps its handlers (ConsoleHandler flushes each record).
 * Installed by {@link NodeAgent#main} through {@code java.util.logging.manager}.
 */
public final class AgentLogManager extends LogManager {

    @Override
    public void reset() {
        // keep logging through shutdown
    }
}
