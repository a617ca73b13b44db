/**
 * The pieces every settings schema is made of (shared/config.ts, bridge/bridge-config.ts): a
 * setting names its environment variable, default and doc line and has a parser that returns the
 * value or throws an Error whose message completes "<VARIABLE> ...". `parseSettings` reads a whole
 * schema and collects every problem, so an operator fixes them all in one go.
 */
export type Parser<T> = (raw: string) => T;

export interface Setting<T> {
  env: string;
  /** Used when the variable is unset; undefined reads as ''. */
  default: string | undefined;
  doc: string;
  parse: Parser<T>;
}

export function setting<T>(env: string, def: string | undefined, doc: string, parse: Parser<T>): Setting<T> {
  return { env, default: def, doc, parse };
}

/** The parsed values of a schema, e.g. `SettingValues<typeof CONFIG_SCHEMA>`. */
export type SettingValues<S> = { [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

/** Invalid settings, one line each naming the variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses every setting of `schema` from `env`. Never throws: the values that parsed, and one
 * problem line per variable that did not (the caller adds cross-setting checks, then throws).
 */
export function parseSettings<S extends Record<string, Setting<unknown>>>(
  schema: S,
  env: NodeJS.ProcessEnv,
): { values: Partial<SettingValues<S>>; problems: string[] } {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(schema)) {
    try {
      values[key] = s.parse(env[s.env] ?? s.default ?? '');
    } catch (err) {
      problems.push(`${s.env} ${(err as Error).message}`);
    }
  }
  return { values: values as Partial<SettingValues<S>>, problems };
}

/**
 * Runs every loader and returns their results by name; when any throws ConfigError, throws one
 * ConfigError with the problems of all of them (a component reading several schemas still
 * reports every mistake at once). Other errors propagate.
 */
export function loadTogether<L extends Record<string, () => unknown>>(
  loaders: L,
): { [K in keyof L]: ReturnType<L[K]> } {
  const problems: string[] = [];
  const results: Record<string, unknown> = {};
  for (const [name, load] of Object.entries(loaders)) {
    try {
      results[name] = load();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return results as { [K in keyof L]: ReturnType<L[K]> };
}

export const text: Parser<string> = (raw) => raw;

export const optionalText: Parser<string | undefined> = (raw) => (raw === '' ? undefined : raw);

/** An integer in [min, max]. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> {
  return (raw) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new Error(`must be an integer, got ${JSON.stringify(raw)}`);
    const n = Number(raw);
    if (n < min || n > max) throw new Error(`must be between ${min} and ${max}, got ${n}`);
    return n;
  };
}

export function oneOf<T extends string>(...values: T[]): Parser<T> {
  return (raw) => {
    if ((values as string[]).includes(raw)) return raw as T;
    throw new Error(`must be one of ${values.join(', ')}, got ${JSON.stringify(raw)}`);
  };
}

/** 1/true/yes/on or 0/false/no/off, any case. */
export const bool: Parser<boolean> = (raw) => {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Error(`must be true or false, got ${JSON.stringify(raw)}`);
};

/** An absolute URL, without a trailing slash. */
export const url: Parser<string> = (raw) => {
  try {
    return new URL(raw).toString().replace(/\/$/, '');
  } catch {
    throw new Error(`must be a URL, got ${JSON.stringify(raw)}`);
  }
};

/** Comma-separated host:port entries, at least one. */
export const hostPortList: Parser<string[]> = (raw) => {
  const entries = raw
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error('must list at least one host:port');
  for (const b of entries)
    if (!/^[^\s:]+:\d{1,5}$/.test(b)) throw new Error(`${JSON.stringify(b)} is not host:port`);
  return entries;
};

/** `parse` unless the value is empty (then undefined). */
export function optional<T>(parse: Parser<T>): Parser<T | undefined> {
  return (raw) => (raw === '' ? undefined : parse(raw));
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60000,
  h: 3600000,
  d: 86400000,
};

/** Milliseconds in [minMs, maxMs], written `<n><unit>` (ms, s, m, h, d: `30d`, `12h`, `5s`) or plain ms. */
export function duration(minMs: number, maxMs = Number.MAX_SAFE_INTEGER): Parser<number> {
  return (raw) => {
    const match = /^(\d+)(ms|s|m|h|d)?$/.exec(raw.trim());
    if (!match)
      throw new Error(`must be a duration such as 30d, 12h, 90s or 500ms, got ${JSON.stringify(raw)}`);
    const ms = Number(match[1]) * DURATION_UNITS[match[2] ?? 'ms']!;
    if (!(ms >= minMs && ms <= maxMs))
      throw new Error(`must be between ${minMs} ms and ${maxMs} ms, got ${ms} ms`);
    return ms;
  };
}

/** `key=value,...` with each value read by `parse`; empty: no entries. Keys are unique. */
export function keyValueList<T>(key: RegExp, parse: Parser<T>): Parser<ReadonlyMap<string, T>> {
  return (raw) => {
    const out = new Map<string, T>();
    for (const item of raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const eq = item.indexOf('=');
      const name = eq < 0 ? item : item.slice(0, eq).trim();
      if (eq < 0 || !key.test(name))
        throw new Error(`${JSON.stringify(item)} is not key=value with a key matching ${key.source}`);
      if (out.has(name)) throw new Error(`${name} is given twice`);
      try {
        out.set(name, parse(item.slice(eq + 1).trim()));
      } catch (err) {
        throw new Error(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return out;
  };
}
