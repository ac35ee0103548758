package dev.entrepot.operator.probe;

/** Tells whether an upstream registry answers its API version check. */
public interface UpstreamProbe {

    Result probe(String registryUrl);

    enum Reachability { REACHABLE, UNREACHABLE, UNKNOWN }

    /** @param detail human-readable, ends up in the UpstreamReachable condition message */
    record Result(Reachability reachability, String detail) {

        public static Result reachable(String detail) {
            return new Result(Reachability.REACHABLE, detail);
        }

        public static Result unreachable(String detail) {
            return new Result(Reachability.UNREACHABLE, detail);
        }

        public static Result unknown(String detail) {
            return new Result(Reachability.UNKNOWN, detail);
        }
    }
}
