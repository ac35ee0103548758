package dev.entrepot.proxy.auth;

/** What a request wants to do to a repository; push and delete need a writer. */
public enum Action {
    PULL, PUSH, DELETE
}
