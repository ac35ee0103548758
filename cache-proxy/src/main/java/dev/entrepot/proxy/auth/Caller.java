package dev.entrepot.proxy.auth;

/**
 * The outcome of reading a request's credentials: a subject (anonymous when none were sent), the token it came with
 * (Bearer), or what was wrong with the credentials (wrong password, invalid or expired token) — refused by
 * {@link ClientAuth#check} with a challenge, whatever the route.
 */
public final class Caller {
    enum Problem {
        BAD_CREDENTIALS, INVALID_TOKEN
    }

    static final Caller ANONYMOUS = new Caller(Subject.ANONYMOUS, null, null);
    static final Caller BAD_CREDENTIALS = new Caller(Subject.ANONYMOUS, null, Problem.BAD_CREDENTIALS);
    static final Caller INVALID_TOKEN = new Caller(Subject.ANONYMOUS, null, Problem.INVALID_TOKEN);

    private final Subject subject;
    private final TokenCodec.Claims token;
    private final Problem problem;

    private Caller(Subject subject, TokenCodec.Claims token, Problem problem) {
        this.subject = subject;
        this.token = token;
        this.problem = problem;
    }

    static Caller of(Subject subject) {
        return subject.anonymous() ? ANONYMOUS : new Caller(subject, null, null);
    }

    static Caller bearer(TokenCodec.Claims token) {
        return new Caller(token.subject(), token, null);
    }

    public Subject subject() {
        return subject;
    }

    /** Came with a Bearer token (whose access bounds what it may do). */
    public boolean bearer() {
        return token != null;
    }

    TokenCodec.Claims token() {
        return token;
    }

    Problem problem() {
        return problem;
    }
}
