package com.akkio.dbproxy.policy;

/**
 * The parser oracles compare Spark's reading of a Databricks rewrite with the tenant's text. Spark 3.5's grammar has
 * no {@code QUALIFY} (Databricks SQL has), so the write cap's wrapper ({@link WriteCap#applyToText}: fixed text the
 * proxy adds, checked exactly by {@code DatabricksWriteCapTest} and by the engine's own verification) is taken off
 * before Spark reads the rewrite; everything the tenant wrote is still compared.
 */
final class WriteCapText {
    private WriteCapText() {
    }

    /** The rewrite without the write cap's wrapper, or the rewrite itself when it has none. */
    static String withoutWrapper(String rewritten, TenantPolicy policy) {
        String after = WriteCap.textAfter(policy);
        int before = rewritten.indexOf(WriteCap.TEXT_BEFORE);
        if (policy.dialect() != Dialect.DATABRICKS || before < 0 || !rewritten.endsWith(after)) {
            return rewritten;
        }
        return rewritten.substring(0, before)
                + rewritten.substring(before + WriteCap.TEXT_BEFORE.length(), rewritten.length() - after.length());
    }
}
