import pino, { type Logger as PinoLogger } from 'pino';

/**
 * Structured JSON logs through pino, one object per line on stdout:
 * `{"level":"warn","time":"<ISO-8601>","component":"...","msg":"...",...fields}`. Levels are
 * written as labels, not pino's numbers, so a line can be filtered (and tests grep) for
 * `"level":"warn"`. Fields are data, never glued into text, so a log pipeline can filter on
 * deviceId, partition, topic and so on. `npm start` pretty-prints these lines (pino-pretty).
 *
 * The interface is twinfold's own (message first, fields second, `child(component)`), so the rest
 * of the code does not depend on pino.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(component: string, fields?: LogFields): Logger;
}

export function isLogLevel(value: string): value is LogLevel {
  return (LEVELS as readonly string[]).includes(value);
}

/** An Error as plain fields (pino would serialise only a field named `err`). */
function errorFields(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const code = (value as { code?: unknown }).code;
  return {
    name: value.name,
    message: value.message,
    ...(code === undefined ? {} : { code }),
    stack: value.stack,
  };
}

function withErrors(fields: LogFields | undefined): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields ?? {})) out[k] = errorFields(v);
  return out;
}

export interface LoggerOptions {
  level?: LogLevel;
  component?: string;
  fields?: LogFields;
  /** Receives each line without its newline (tests); default: stdout, written synchronously. */
  write?: (line: string) => void;
}

function rootLogger(options: LoggerOptions): PinoLogger {
  const write = options.write;
  // Synchronous, as process.stdout is for files and pipes: a line logged just before
  // process.exit() is not lost.
  const destination =
    write === undefined
      ? pino.destination({ dest: 1, sync: true })
      : { write: (line: string) => write(line.endsWith('\n') ? line.slice(0, -1) : line) };
  return pino(
    {
      level: options.level ?? 'info',
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

function wrap(root: PinoLogger, options: LoggerOptions): Logger {
  const bindings = { ...(options.component ? { component: options.component } : {}), ...options.fields };
  const log = root.child(bindings);
  return {
    debug: (msg, fields) => log.debug(withErrors(fields), msg),
    info: (msg, fields) => log.info(withErrors(fields), msg),
    warn: (msg, fields) => log.warn(withErrors(fields), msg),
    error: (msg, fields) => log.error(withErrors(fields), msg),
    // From the root, so the child's component replaces the parent's rather than repeating the key.
    child: (component, fields) =>
      wrap(root, { ...options, component, fields: { ...options.fields, ...fields } }),
  };
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return wrap(rootLogger(options), options);
}
