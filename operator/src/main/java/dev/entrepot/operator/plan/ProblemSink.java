package dev.entrepot.operator.plan;

/** Where a planner reports what it could not honour in a repository's spec. */
interface ProblemSink {
    void report(Subject subject, Problem.Category category, String reason, String message);
}
