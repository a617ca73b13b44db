/**
 * The twinfold service: the stream processor and the query API over its stores, in one process
 * (the API reads the stores the processor writes). `node dist/api/main.js`; configuration from
 * environment variables (shared/config.ts). SIGTERM/SIGINT: stop serving, finish the current
 * batches, leave the group, checkpoint the stores, exit 0. Exit codes: shared/exit-codes.ts (2 for
 * an invalid configuration, 1 for a failure). A processor that gives up (its consumer crashed for
 * good: fenced after a pause longer than the session timeout, Kafka away longer than the retries)
 * stops the whole process with exit code 1, so the supervisor (npm start, Kubernetes) starts a
 * fresh one: a process serving HTTP over a dead processor would look alive and fold nothing.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { advertisedUrl, loadConfig } from '../shared/config';
import { EXIT_CODES, runMain } from '../shared/exit-codes';
import { createKafka, waitForKafka } from '../shared/kafka';
import { createLogger } from '../shared/logger';
import { LocalTwinQueries } from '../topology/local-queries';
import { processorSettings } from '../topology/processor-settings';
import { recordFormats } from '../topology/record-formats';
import { StreamProcessor } from '../topology/stream-processor';
import { createApp } from './app';
import { kafkaBehaviourRows } from './datasets/kafka-behaviour-rows';
import { authFromConfig } from './auth';
import { kafkaEventStreams } from './events';
import { KafkaInputProducer } from './input-producer';
import { ProcessorBackend } from './processor-backend';
import { createRouting } from './routing/setup';
import { LocalFleet, RemoteFleet, RoutedFleet } from './routes/health-fanout';
import { setUpGlobalTables } from './routes/types-setup';
import { startApiServer } from './server';
import { WebSocketApi } from './ws';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, component: 'service' });
  const auth = authFromConfig(config, logger.child('auth'));
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const kafka = createKafka(config, `${config.applicationId}-service`, logger);
  // Profiles and rules: global tables every instance reads before it folds (traits, decisions).
  const global = setUpGlobalTables(kafka, processorSettings(config), config.writeOutcomeTimeoutMs, logger);
  // Avro inputs and the device.twins format: the twin schema is registered before anything folds.
  const formats = await recordFormats(config, global.settings.topics.twins, logger.child('formats'));
  const settings = { ...global.settings, formats };
  const processor = new StreamProcessor(
    kafka,
    settings,
    advertisedUrl(config),
    logger.child('processor'),
    registry,
    [global.tables.profiles, global.tables.rules],
  );
  const queries = new LocalTwinQueries(processor);
  const producer = new KafkaInputProducer(kafka);
  const backend = new ProcessorBackend({
    producer,
    queries,
    history: queries,
    readiness: () => {
      const status = processor.lifecycle.state;
      const ready = status === 'running';
      return { ready, status, ...(ready ? {} : { retryAfterSeconds: 1 }) };
    },
    topics: settings.topics,
    limits: settings.limits,
    foldConfig: settings.foldConfig,
    writeOutcomeTimeoutMs: config.writeOutcomeTimeoutMs,
  });
  // Any instance answers for any twin: the routes talk to the routing layer, which serves from
  // `backend` or forwards to the partition's owner.
  const routing = createRouting({
    kafka,
    processor,
    queries,
    local: backend,
    self: advertisedUrl(config),
    groupId: settings.applicationId,
    forwardTimeoutMs: config.forwardTimeoutMs,
    ownershipRefreshMs: config.ownershipRefreshMs,
    writeOutcomeTimeoutMs: config.writeOutcomeTimeoutMs,
    registry,
    logger,
  });
  processor.lifecycle.on('change', (to, from) => logger.info('instance state', { from, to }));
  // Server-Sent Events read device.twins directly: any instance serves any stream, no forwarding.
  const events = kafkaEventStreams({
    kafka,
    topic: settings.topics.twins,
    groupPrefix: settings.applicationId,
    maxStreams: config.sseMaxStreams,
    maxReplayConsumers: config.sseMaxReplayConsumers,
    replayBuffer: config.sseReplayBuffer,
    heartbeatMs: config.sseHeartbeatMs,
    logger: logger.child('events'),
    registry,
  });

  const fleet = new RoutedFleet(
    routing.backend,
    new LocalFleet(queries),
    (url) => new RemoteFleet(routing.client, url),
  );
  const app = createApp({
    backend: routing.backend,
    tables: global.tables,
    fleet,
    datasets: {
      windowMs: config.behaviour ? config.behaviourWindowMs : undefined,
      source: kafkaBehaviourRows({
        kafka,
        topic: settings.topics.events,
        groupPrefix: settings.applicationId,
        leadMs: config.behaviourWindowMs + 5 * 60_000,
        logger: logger.child('datasets'),
      }),
    },
    instances: routing.instances,
    logger: logger.child('api'),
    auth,
    events,
    metricsRegistry: registry,
    maxBodyBytes: config.maxPayloadBytes,
    maxJsonDepth: config.maxJsonDepth,
    maxJsonKeys: config.maxJsonKeys,
  });
  // The WebSocket API reads the same EventStreams: one device.twins reader per instance.
  const websocket = new WebSocketApi({
    source: events,
    auth,
    limits: {
      maxConnections: config.wsMaxConnections,
      maxSubscriptions: config.wsMaxSubscriptions,
      maxMessageBytes: config.wsMaxMessageBytes,
      maxBufferedBytes: config.wsMaxBufferedBytes,
      authTimeoutMs: config.wsAuthTimeoutMs,
      pingMs: config.wsPingMs,
      json: {
        maxBytes: config.wsMaxMessageBytes,
        maxDepth: config.maxJsonDepth,
        maxKeys: config.maxJsonKeys,
      },
    },
    logger: logger.child('ws'),
    registry,
  });
  const server = await startApiServer(app, config.httpHost, config.httpPort, {
    beforeListen: (s) => websocket.attach(s),
  });
  logger.info('api listening', { url: server.url, advertised: advertisedUrl(config) });
  // /healthz answers and /readyz says 503 meanwhile; a failure after this point exits 1.
  await waitForKafka(kafka, logger);
  await producer.connect();
  await global.writer.connect();
  await routing.start();
  await processor.start();

  let stopping = false;
  const stop = async (reason: string, exitCode: number = EXIT_CODES.ok): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { reason, exitCode });
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 30 s; exiting');
      process.exit(EXIT_CODES.failed);
    }, 30000);
    force.unref();
    try {
      // Event streams never finish on their own: end them (clients resume elsewhere) so close() need not wait.
      await websocket.close();
      await events.close();
      await server.close();
      await processor.stop();
      await routing.stop();
      await producer.disconnect();
      await global.writer.disconnect();
      logger.info('shut down');
      process.exit(exitCode);
    } catch (err) {
      logger.error('unclean shutdown', { error: err });
      process.exit(EXIT_CODES.failed);
    }
  };
  processor.lifecycle.on('change', (to) => {
    if (to !== 'error') return;
    logger.error('the stream processor gave up; exiting so that a fresh process takes over');
    void stop('processor failed', EXIT_CODES.failed);
  });
  if (processor.lifecycle.state === 'error') void stop('processor failed', EXIT_CODES.failed);
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

runMain('service', main);
