/** JSON values as they cross the API: the one definition lives in shared/json.ts. */
export { isJsonObject, type JsonObject, type JsonValue } from '../shared/json';
