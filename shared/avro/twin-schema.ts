import { Type, type Schema } from 'avsc';

/**
 * The Avro schema of the twin document on `device.twins` (docs/contract.md, "Avro and a schema
 * registry"). The open maps (`reported`, `desired`, `delta`, `attributes`) are maps of `Value`, a
 * union that keeps each value's type for consumers: null, boolean, long (an integer), double,
 * string, or `Json` (an object or array as JSON text). `traits` is JSON text too (null without
 * traits). Evolution is BACKWARD (the subject's compatibility level): a new field gets a default.
 */
export const TWIN_NAMESPACE = 'io.twinfold.twin';
/** The union branch of objects and arrays, as avsc names it in a wrapped union value. */
export const JSON_BRANCH = `${TWIN_NAMESPACE}.Json`;

const SCALARS: unknown[] = ['null', 'boolean', 'long', 'double', 'string'];
/** The `Value` union where `Json` is defined (the first map), and where it is referred to. */
const VALUE_DEFINED = [
  ...SCALARS,
  { type: 'record', name: 'Json', fields: [{ name: 'json', type: 'string' }] },
];
const VALUE = [...SCALARS, 'Json'];
const OPTIONAL_STRING = ['null', 'string'];

/** Plain JSON (avsc's typings cannot express it); `Type.forSchema` checks it when the module loads. */
export const TWIN_SCHEMA = {
  type: 'record',
  name: 'Twin',
  namespace: TWIN_NAMESPACE,
  doc: 'A twinfold twin document (docs/contract.md)',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'type', type: 'string' },
    { name: 'lifecycle', type: 'string' },
    {
      name: 'connection',
      type: {
        type: 'record',
        name: 'Connection',
        fields: [
          { name: 'status', type: 'string' },
          { name: 'since', type: OPTIONAL_STRING },
          { name: 'lastSeen', type: OPTIONAL_STRING },
        ],
      },
    },
    { name: 'reported', type: { type: 'map', values: VALUE_DEFINED } },
    { name: 'desired', type: { type: 'map', values: VALUE } },
    { name: 'delta', type: { type: 'map', values: VALUE } },
    {
      name: 'metadata',
      type: {
        type: 'record',
        name: 'Metadata',
        fields: [
          {
            name: 'reported',
            type: {
              type: 'map',
              values: {
                type: 'record',
                name: 'FieldMeta',
                fields: [
                  { name: 'timestamp', type: 'string' },
                  { name: 'version', type: 'long' },
                  { name: 'unit', type: OPTIONAL_STRING, default: null },
                  { name: 'clock', type: OPTIONAL_STRING, default: null },
                  { name: 'deviceTimestamp', type: OPTIONAL_STRING, default: null },
                ],
              },
            },
          },
          { name: 'desired', type: { type: 'map', values: 'FieldMeta' } },
        ],
      },
    },
    { name: 'attributes', type: { type: 'map', values: VALUE } },
    { name: 'version', type: 'long' },
    {
      name: 'commands',
      type: { type: 'record', name: 'Commands', fields: [{ name: 'pending', type: 'int' }] },
    },
    { name: 'createdAt', type: 'string' },
    { name: 'updatedAt', type: 'string' },
    { name: 'traits', type: OPTIONAL_STRING, default: null, doc: 'The traits section as JSON text' },
  ],
};

/** The twin Avro type, parsed once. The cast is checked at run time: forSchema throws on an invalid schema. */
export const TWIN_TYPE = Type.forSchema(TWIN_SCHEMA as Schema);
