package dev.entrepot.operator.plan;

/** Identifies one custom resource of the namespace: kind plus name. */
public record Subject(Kind kind, String name) {

    public enum Kind { REPOSITORY, VIRTUAL_REPOSITORY }

    public static Subject repository(String name) {
        return new Subject(Kind.REPOSITORY, name);
    }

    public static Subject virtual(String name) {
        return new Subject(Kind.VIRTUAL_REPOSITORY, name);
    }

    @Override
    public String toString() {
        return (kind == Kind.REPOSITORY ? "Repository " : "VirtualRepository ") + name;
    }
}
