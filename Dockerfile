# syntax=docker/dockerfile:1
# One image for every twinfold role, chosen by the command (see README "With Docker"):
#   docker run IMAGE                          the service: processor + query API (dist/api/main.js)
#   docker run IMAGE dist/bridge/main.js      the MQTT <-> Kafka bridge
#   docker run IMAGE dist/adapters/thingsboard/main.js   the ThingsBoard gateway adapter
#   docker run IMAGE dist/adapters/hono/main.js   the Eclipse Hono <-> twinfold adapter (HONO_TENANTS)
#   docker run IMAGE dist/scripts/simulator.js --help
# tini is PID 1: it forwards SIGTERM to node (which checkpoints its stores and leaves the consumer
# group) and reaps zombies. The checks in test/unit/deploy/ read this file: keep ENTRYPOINT and CMD
# in exec (JSON) form.
# Compile TypeScript with the dev dependencies.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no native build in the image; LevelDB (classic-level) ships prebuilt binaries.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY shared shared
COPY store store
COPY topology topology
COPY api api
COPY bridge bridge
COPY adapters adapters
COPY scripts scripts
COPY bench bench
COPY dashboard dashboard
RUN npm run build --silent

# Production dependencies only.
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force

FROM node:20-slim AS runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    STATE_DIR=/var/lib/twinfold \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8080 \
    BRIDGE_HTTP_PORT=9464
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The stores live on a volume at STATE_DIR, writable by the unprivileged user (uid 1000 is `node`
# in the official image; numeric so Kubernetes' runAsNonRoot can verify it).
RUN mkdir -p /var/lib/twinfold && chown 1000:1000 /var/lib/twinfold
USER 1000:1000
EXPOSE 8080 9464
# Liveness of whichever role runs: the service answers /healthz on HTTP_PORT, the bridge on
# BRIDGE_HTTP_PORT. The slim image has no curl; node's fetch does it.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const ports=[process.env.HTTP_PORT||8080,process.env.BRIDGE_HTTP_PORT||9464,process.env.TB_HTTP_PORT||9466,process.env.HONO_HTTP_PORT||9465];Promise.any(ports.map((p)=>fetch('http://127.0.0.1:'+p+'/healthz',{signal:AbortSignal.timeout(4000)}).then((r)=>{if(!r.ok)throw new Error(String(r.status));}))).then(()=>process.exit(0),()=>process.exit(1));"]
ENTRYPOINT ["/usr/bin/tini", "--", "node"]
CMD ["dist/api/main.js"]
