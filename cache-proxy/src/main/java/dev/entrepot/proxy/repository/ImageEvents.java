package dev.entrepot.proxy.repository;

/**
 * Where repositories report image changes. Called off the event loop (it may write to disk), on the thread that made
 * the change, after it is durable and before the client hears of it; an implementation never waits for anything
 * remote.
 */
@FunctionalInterface
public interface ImageEvents {
    ImageEvents NONE = event -> { };

    void emit(ImageEvent event);
}
