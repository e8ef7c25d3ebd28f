package com.akkio.dbproxy.server.backend.databricks.emulator;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A DuckDB failure as a warehouse reports the same failure: Databricks' error class as {@code error_code}, its
 * {@code [CLASS] message} text and its SQLSTATE ({@code sql_state}), from the Databricks error-class reference for
 * the classes DuckDB's messages correspond to. Anything else is {@code INTERNAL_ERROR} with {@code XX000}.
 */
final class WarehouseErrors {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How the message of a statement's own {@code raise_error} begins (DatabricksEmulator#raiseError). */
    static final String USER_RAISED = "[USER_RAISED_EXCEPTION] ";

    private record Mapping(String duckdbPrefix, String errorClass, String sqlState) {
    }

    private static final List<Mapping> MAPPINGS = List.of(
            new Mapping("Conversion Error", "CAST_INVALID_INPUT", "22018"),
            new Mapping("Catalog Error", "TABLE_OR_VIEW_NOT_FOUND", "42P01"),
            new Mapping("Binder Error", "UNRESOLVED_COLUMN", "42703"),
            new Mapping("Parser Error", "PARSE_SYNTAX_ERROR", "42601"),
            new Mapping("Out of Range Error", "ARITHMETIC_OVERFLOW", "22003"),
            new Mapping("Invalid Input Error", "INVALID_PARAMETER_VALUE", "22023"));

    private WarehouseErrors() {
    }

    static ObjectNode of(Exception failure) {
        Exception e = failure instanceof IllegalArgumentException && failure.getCause() instanceof Exception cause
                ? cause : failure;
        String message = String.valueOf(e.getMessage()).strip().lines().findFirst().orElse("");
        if (e instanceof EmulatorResults.InlineLimitExceeded) {
            return JSON.createObjectNode().put("error_code", "BAD_REQUEST").put("message", message);
        }
        if (e instanceof java.sql.SQLException sql && sql.getSQLState() != null) {
            return error(message.replaceAll("^\\[([A-Z_]+)].*", "$1"), message, sql.getSQLState());
        }
        int raised = message.indexOf(USER_RAISED);
        if (message.startsWith("Invalid Input Error") && raised >= 0) {
            // raise_error: error class USER_RAISED_EXCEPTION, SQLSTATE P0001 (Databricks SQL function reference)
            return error("USER_RAISED_EXCEPTION", message.substring(raised) + " SQLSTATE: P0001", "P0001");
        }
        for (Mapping m : MAPPINGS) {
            if (message.startsWith(m.duckdbPrefix())) {
                String text = message.substring(message.indexOf(':') + 1).strip();
                return error(m.errorClass(), "[" + m.errorClass() + "] " + text + " SQLSTATE: " + m.sqlState(),
                        m.sqlState());
            }
        }
        return error("INTERNAL_ERROR", message, "XX000");
    }

    static ObjectNode error(String code, String message, String sqlState) {
        return JSON.createObjectNode().put("error_code", code).put("message", message).put("sql_state", sqlState);
    }
}
