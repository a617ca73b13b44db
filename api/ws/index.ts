/**
 * The WebSocket API of seed 001 §8.2 at `/ws`: subscribe to one twin or a filtered fleet, get
 * `twin_update` messages with positions in device.twins, resume from a position as Server-Sent
 * Events do (docs/contract.md "WebSocket").
 */
export { WS_CLOSE, type WsCloseCode } from './close-codes';
export { WebSocketApi, WS_PATH, type WebSocketApiOptions } from './websocket-api';
