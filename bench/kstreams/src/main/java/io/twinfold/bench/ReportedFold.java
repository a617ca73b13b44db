package io.twinfold.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * The per-field fold of twinfold's topology/twin/reported.ts, on a Jackson tree: telemetry readings
 * merge into `reported` field by field, last-writer-wins by reading time; a state message is a full
 * snapshot (omitted fields are deleted), still per field LWW and gated by its device-side version;
 * status and error messages set the connection and the last error. Every accepted change bumps
 * `version`; each written field's metadata records its timestamp and the version that wrote it.
 */
final class ReportedFold {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private ReportedFold() {}

  static ObjectNode newTwin(String id, long nowMs) {
    ObjectNode twin = JSON.objectNode();
    twin.put("id", id);
    twin.put("version", 0);
    twin.putObject("connection").put("status", "unknown").putNull("since").putNull("lastSeen");
    twin.putObject("reported");
    twin.putObject("metadata").putObject("reported");
    twin.putNull("stateVersion");
    twin.putNull("lastError");
    twin.put("createdAt", nowMs);
    twin.put("updatedAt", nowMs);
    return twin;
  }

  /** Folds one input of `kind` (the input topic's kind) with record time `nowMs` into `twin`, in place. */
  static ObjectNode apply(ObjectNode twin, String kind, ObjectNode payload, long nowMs) {
    long next = twin.get("version").asLong() + 1;
    boolean changed =
        switch (kind) {
          case "telemetry" -> readings(twin, payload.path("data"), timeOf(payload, nowMs), next);
          case "state" -> snapshot(twin, payload, timeOf(payload, nowMs), next);
          case "status" -> status(twin, payload.path("status").asText("unknown"), nowMs);
          case "error" -> {
            twin.set("lastError", payload.deepCopy().put("at", nowMs));
            yield true;
          }
          default -> false;
        };
    if (!kind.equals("status")) {
      ObjectNode connection = (ObjectNode) twin.get("connection");
      connection.put("lastSeen", nowMs);
    }
    if (changed) twin.put("version", next);
    twin.put("updatedAt", nowMs);
    return twin;
  }

  private static long timeOf(JsonNode payload, long nowMs) {
    JsonNode t = payload.get("timestamp");
    if (t == null || !t.isTextual()) return nowMs;
    try {
      return Instant.parse(t.asText()).toEpochMilli();
    } catch (DateTimeParseException e) {
      return nowMs;
    }
  }

  private static boolean readings(ObjectNode twin, JsonNode data, long t, long version) {
    if (!data.isObject()) return false;
    boolean changed = false;
    for (Iterator<String> it = data.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      JsonNode value = data.get(key);
      changed |= writeField(twin, key, value.isNull() ? null : value, t, version);
    }
    return changed;
  }

  private static boolean snapshot(ObjectNode twin, JsonNode payload, long t, long version) {
    JsonNode stateVersion = payload.get("version");
    JsonNode last = twin.get("stateVersion");
    if (stateVersion != null && stateVersion.isNumber() && last.isNumber()
        && stateVersion.asLong() <= last.asLong()) return false;
    JsonNode reported = payload.path("reported");
    if (!reported.isObject()) return false;
    List<String> keys = new ArrayList<>();
    twin.get("reported").fieldNames().forEachRemaining(keys::add);
    reported.fieldNames().forEachRemaining(k -> { if (!keys.contains(k)) keys.add(k); });
    boolean changed = false;
    for (String key : keys) {
      JsonNode value = reported.get(key);
      changed |= writeField(twin, key, value == null || value.isNull() ? null : value, t, version);
    }
    if (stateVersion != null && stateVersion.isNumber()) {
      twin.put("stateVersion", stateVersion.asLong());
      changed = true;
    }
    return changed;
  }

  /** One reported field (null = delete, leaving a tombstone in the metadata) unless older. */
  private static boolean writeField(ObjectNode twin, String key, JsonNode next, long t, long version) {
    ObjectNode values = (ObjectNode) twin.get("reported");
    ObjectNode metas = (ObjectNode) twin.get("metadata").get("reported");
    JsonNode meta = metas.get(key);
    if (meta != null && t < meta.get("timestamp").asLong()) return false;
    JsonNode current = values.get(key);
    if (next == null && current == null && meta == null) return false;
    if (meta != null && Objects.equals(next, current) && meta.get("timestamp").asLong() == t) return false;
    if (next == null) values.remove(key);
    else values.set(key, next);
    metas.putObject(key).put("timestamp", t).put("version", version);
    return true;
  }

  private static boolean status(ObjectNode twin, String status, long nowMs) {
    ObjectNode connection = (ObjectNode) twin.get("connection");
    if (status.equals(connection.path("status").asText())) return false;
    connection.put("status", status).put("since", nowMs).put("lastSeen", nowMs);
    return true;
  }
}
