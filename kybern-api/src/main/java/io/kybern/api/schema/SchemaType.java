package io.kybern.api.schema;

/** The JSON shape of a value, as clients see it on the wire. */
public enum SchemaType {
    /** A JSON object with named fields, described by an {@link ObjectSchema}. */
    OBJECT,
    /** A JSON array; {@link ValueSchema#element()} describes its items. */
    ARRAY,
    /** A JSON object used as a map with string keys; {@link ValueSchema#element()} describes its values. */
    MAP,
    STRING,
    INTEGER,
    NUMBER,
    BOOLEAN,
    /** A number or a string, such as a port ({@code IntOrString}) or a quantity ({@code 500m}, {@code 1Gi}). */
    INT_OR_STRING,
    /** An RFC 3339 timestamp in a string. */
    DATE_TIME,
    /** Bytes as a base64 string. */
    BYTE,
    /** Any JSON value, kept as sent: raw extensions, managed fields' {@code fieldsV1}, JSON schema parts. */
    PRESERVE_UNKNOWN
}
