package io.kybern.apiserver.serviceaccount;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What validating a token needs to know of an object it names (its service account, or the object it is
 * bound to): the object's uid, and when its deletion began, if it did.
 *
 * @param deletionTimestamp null unless the object is being deleted
 */
record TokenObject(String uid, Instant deletionTimestamp) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * Whether a token naming {@code tokenUid} may still use this object at {@code now}: the same object
     * (not one re-created under its name), and not one whose deletion began before {@code deletedBefore}.
     */
    boolean validFor(String tokenUid, Instant deletedBefore) {
        return uid.equals(tokenUid) && (deletionTimestamp == null || !deletionTimestamp.isBefore(deletedBefore));
    }

    /** From an object as the store returns it. */
    static TokenObject of(JsonNode object) {
        JsonNode metadata = object.path("metadata");
        return new TokenObject(metadata.path("uid").asString(""),
                instant(metadata.path("deletionTimestamp").asString("")));
    }

    /**
     * From an object's JSON bytes, reading its metadata only: this runs at every request with a token, and a
     * pod's JSON is mostly its spec and status, which are skipped without being decoded into a tree.
     */
    static TokenObject of(byte[] json) {
        String uid = "";
        String deletionTimestamp = "";
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return new TokenObject("", null);
            }
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                if (!field.equals("metadata") || parser.currentToken() != JsonToken.START_OBJECT) {
                    parser.skipChildren();
                    continue;
                }
                while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                    String name = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (name.equals("uid") && value == JsonToken.VALUE_STRING) {
                        uid = parser.getString();
                    } else if (name.equals("deletionTimestamp") && value == JsonToken.VALUE_STRING) {
                        deletionTimestamp = parser.getString();
                    } else {
                        parser.skipChildren();
                    }
                }
                break;
            }
        } catch (JacksonException e) {
            return new TokenObject("", null);
        }
        return new TokenObject(uid, instant(deletionTimestamp));
    }

    private static Instant instant(String timestamp) {
        if (timestamp.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(timestamp);
        } catch (DateTimeParseException e) {
            // Not something the server writes; an unreadable time counts as a deletion long begun.
            return Instant.EPOCH;
        }
    }
}
