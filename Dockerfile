# syntax=docker/dockerfile:1
# Klang Webhooks: one image for every role (serve --role api|worker|all, migrate, doctor, backup).
# Stage 1 installs and builds (native modules need a compiler); stage 2 carries only what runs.
FROM node:20-bookworm-slim AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends g++ make python3 \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
# Production dependencies only; `prepare` compiles the server and SDK and builds the web UI.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    KLANG_HOST=0.0.0.0 \
    KLANG_PORT=3000 \
    KLANG_METRICS_PORT=9090 \
    KLANG_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/packages/server/package.json ./packages/server/
COPY --from=build /app/packages/server/bin ./packages/server/bin
COPY --from=build /app/packages/server/dist ./packages/server/dist
COPY --from=build /app/packages/sdk/package.json ./packages/sdk/
COPY --from=build /app/packages/sdk/dist ./packages/sdk/dist
COPY --from=build /app/packages/web/package.json ./packages/web/
COPY --from=build /app/packages/web/dist ./packages/web/dist
COPY --from=build /app/docs ./docs
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000 9090
# Every role serves /healthz on the metrics port (workers open no other port).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.KLANG_METRICS_PORT||9090)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
# A smaller young generation and two malloc arenas (not one per thread): less peak memory at no
# measured CPU cost (docs/operations.md, docs/performance.md).
ENV NODE_OPTIONS=--max-semi-space-size=4 \
    MALLOC_ARENA_MAX=2
ENTRYPOINT ["node", "packages/server/bin/klang-webhooks.mjs"]
CMD ["serve"]
