import { isFramed } from '../../shared/avro/wire';
import { twinJsonOf } from '../../shared/avro/twin-read';
import type { TwinFilter } from '../backend';
import type { TwinDocument } from '../twin-document';
import { matchesFilter } from '../twin-filter';

/** One record of `device.twins` as the event streams see it. */
export interface TwinChange {
  partition: number;
  offset: number;
  /** The record key (device id); undefined for a record without one (never delivered). */
  id: string | undefined;
  /** The document; null for a tombstone; undefined when the value is not a JSON object (never delivered). */
  twin: TwinDocument | null | undefined;
  /** The document as one line of JSON (the SSE `data:` field); undefined unless `twin` is a document. */
  json: string | undefined;
}

/** What the reader hands over per record: the kafkajs message fields it needs. */
export interface TwinRecord {
  key: Buffer | null;
  value: Buffer | null;
  offset: string;
}

/** Decodes a record. Never throws: an unreadable record still occupies its offset, and is skipped. */
export function decodeTwinRecord(partition: number, record: TwinRecord): TwinChange {
  const change: TwinChange = {
    partition,
    offset: Number(record.offset),
    id: record.key?.toString('utf8'),
    twin: undefined,
    json: undefined,
  };
  if (record.value === null) return { ...change, twin: null };
  if (isFramed(record.value)) {
    // device.twins as Avro (TWINS_FORMAT=avro): the document twinfold encoded, back as JSON.
    const doc = twinJsonOf(record.value);
    return doc === undefined
      ? change
      : { ...change, twin: doc as unknown as TwinDocument, json: JSON.stringify(doc) };
  }
  try {
    const text = record.value.toString('utf8');
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return change;
    // The processor writes JSON.stringify output (one line); re-serialise anything else.
    const json = /[\r\n]/.test(text) ? JSON.stringify(parsed) : text;
    return { ...change, twin: parsed as TwinDocument, json };
  } catch {
    return change;
  }
}

/** Which changes a stream wants: one twin's, or all twins' matching a filter. */
export type ChangeSelector = { kind: 'twin'; id: string } | { kind: 'fleet'; filter: TwinFilter };

/**
 * Whether a stream delivers a change. A filtered stream gets the documents that match after the
 * change, and every deletion: a tombstone carries no document to filter on, and a client that
 * does not know the id can ignore it.
 */
export function selects(selector: ChangeSelector, change: TwinChange): boolean {
  if (change.id === undefined || change.twin === undefined) return false;
  if (selector.kind === 'twin') return change.id === selector.id;
  return change.twin === null || matchesFilter(selector.filter, change.twin);
}
