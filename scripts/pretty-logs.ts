import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { prettyFactory } from 'pino-pretty';

/**
 * Readable log lines for `npm start`: each JSON line a twinfold process writes (shared/logger.ts)
 * becomes `[12:00:01.234] WARN service processor: message {fields}` through pino-pretty; other
 * lines pass unchanged. `LOG_FORMAT=json npm start` keeps the raw JSON lines.
 */
export function prettyLine(colorize: boolean): (line: string) => string {
  return prettyFactory({
    colorize,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'component',
    messageFormat: '{if component}{component}: {end}{msg}',
  });
}

/** Copies `from` to `to` line by line, each pretty-printed and prefixed with the process name. */
export function pipePretty(name: string, from: Readable, to: Writable, colorize: boolean): void {
  const format = prettyLine(colorize);
  createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) => {
    to.write(`${name} ${format(line).replace(/\n$/, '')}\n`);
  });
}
