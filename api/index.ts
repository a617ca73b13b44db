/** The query API: build the Express app around a Backend, then serve it. */
export { createApp, apiRoutes, type ApiOptions } from './app';
export { startApiServer, type ApiServer, type ApiServerOptions } from './server';
export { allowAll, type Access, type AuthCheck } from './auth';
export * from './backend';
export * from './twin-document';
export { buildOpenApiDocument } from './openapi/document';
