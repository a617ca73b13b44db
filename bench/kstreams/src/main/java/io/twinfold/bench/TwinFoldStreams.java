package io.twinfold.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * twinfold's reported fold as a Kafka Streams application: every input topic tagged with its kind
 * and record time, merged, grouped by device id (the record key) and aggregated into a RocksDB
 * store `twin-store` (changelogged), whose updates go to the output topic.
 *
 * <p>Environment: BOOTSTRAP_SERVERS, APPLICATION_ID, INPUT_TOPICS (`kind=topic,...`, kinds
 * telemetry, state, status, error), OUTPUT_TOPIC, STATE_DIR, PROCESSING_GUARANTEE (exactly_once_v2
 * or at_least_once), CACHE_MAX_BYTES (unset: Kafka Streams' default; 0: an output per input).
 * Prints `progress folded=N cpuMs=M atMs=T` every 200 ms (T: epoch ms), and `closed folded=N` after a clean close on
 * SIGTERM.
 */
public final class TwinFoldStreams {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final AtomicLong FOLDED = new AtomicLong();

  /** One input record on its way into the aggregate. */
  record Input(String kind, long timestampMs, ObjectNode payload) {}

  private TwinFoldStreams() {}

  public static void main(String[] args) throws InterruptedException {
    Map<String, String> env = System.getenv();
    Properties props = new Properties();
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, required(env, "BOOTSTRAP_SERVERS"));
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, required(env, "APPLICATION_ID"));
    props.put(StreamsConfig.STATE_DIR_CONFIG, required(env, "STATE_DIR"));
    props.put(
        StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
        env.getOrDefault("PROCESSING_GUARANTEE", StreamsConfig.EXACTLY_ONCE_V2));
    if (env.containsKey("CACHE_MAX_BYTES"))
      props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, env.get("CACHE_MAX_BYTES"));
    props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    props.put("auto.offset.reset", "earliest");

    KafkaStreams streams = new KafkaStreams(topology(env).build(), props);
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  streams.close(Duration.ofSeconds(60));
                  System.out.println("closed folded=" + FOLDED.get());
                  closed.countDown();
                }));
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "progress");
      t.setDaemon(true);
      return t;
    });
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    ticker.scheduleAtFixedRate(
        () ->
            System.out.println(
                "progress folded=" + FOLDED.get() + " cpuMs=" + os.getProcessCpuTime() / 1_000_000
                    + " atMs=" + System.currentTimeMillis()),
        200, 200, TimeUnit.MILLISECONDS);
    streams.setUncaughtExceptionHandler(e -> {
      e.printStackTrace();
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.start();
    System.out.println("started " + props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
    closed.await();
  }

  static StreamsBuilder topology(Map<String, String> env) {
    Serde<ObjectNode> twinSerde = Serdes.serdeFrom(
        (topic, twin) -> write(twin),
        (topic, bytes) -> bytes == null ? null : (ObjectNode) read(bytes));
    StreamsBuilder builder = new StreamsBuilder();
    List<KStream<String, Input>> inputs = new ArrayList<>();
    for (String pair : required(env, "INPUT_TOPICS").split(",")) {
      String[] kv = pair.split("=", 2);
      if (kv.length != 2) throw new IllegalArgumentException("INPUT_TOPICS: " + pair + " is not kind=topic");
      String kind = kv[0];
      inputs.add(
          builder.stream(kv[1], Consumed.with(Serdes.String(), Serdes.ByteArray()))
              .processValues(() -> new Tagger(kind)));
    }
    KStream<String, Input> all = inputs.get(0);
    for (KStream<String, Input> other : inputs.subList(1, inputs.size())) all = all.merge(other);
    all.groupByKey(Grouped.keySerde(Serdes.String()))
        .aggregate(
            () -> null,
            (id, input, twin) -> {
              ObjectNode base = twin == null ? ReportedFold.newTwin(id, input.timestampMs()) : twin;
              ObjectNode out = ReportedFold.apply(base, input.kind(), input.payload(), input.timestampMs());
              FOLDED.incrementAndGet();
              return out;
            },
            Materialized.<String, ObjectNode, KeyValueStore<Bytes, byte[]>>as("twin-store")
                .withKeySerde(Serdes.String())
                .withValueSerde(twinSerde))
        .toStream()
        .to(required(env, "OUTPUT_TOPIC"), Produced.with(Serdes.String(), twinSerde));
    return builder;
  }

  /** Parses the payload once and tags it with its kind and record time. */
  private static final class Tagger implements FixedKeyProcessor<String, byte[], Input> {
    private final String kind;
    private FixedKeyProcessorContext<String, Input> context;

    Tagger(String kind) {
      this.kind = kind;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Input> context) {
      this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, byte[]> record) {
      if (record.key() == null || record.value() == null) return;
      JsonNode payload;
      try {
        payload = read(record.value());
      } catch (UncheckedIOException e) {
        return; // twinfold dead-letters it; the reference only skips it
      }
      if (!payload.isObject()) return;
      context.forward(record.withValue(new Input(kind, record.timestamp(), (ObjectNode) payload)));
    }
  }

  private static byte[] write(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode read(byte[] bytes) {
    try {
      return MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String required(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null || value.isEmpty()) throw new IllegalArgumentException(name + " is required");
    return value;
  }
}
