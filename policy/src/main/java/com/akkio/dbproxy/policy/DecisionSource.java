package com.akkio.dbproxy.policy;

/** Where {@link PolicyEngine#decide} found a decision: what operators watch to see the memo and templates work. */
public enum DecisionSource {
    /** The same text was decided before under the same policy. */
    MEMO,
    /** The text's shape has a template: it differs from earlier statements only in literal values. */
    TEMPLATE,
    /** Decided in full: refused before parsing, or parsed, checked, rewritten and verified. */
    FULL
}
