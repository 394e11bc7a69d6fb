# syntax=docker/dockerfile:1
# Orderflow images: one target per service, all running the same production tree.
#   docker build --target api -t orderflow/api:0.1.0 .
#   (targets: api, processor, notifier, scheduler, payment-simulator)
# Every image runs `node --import @orderflow/platform/register <entry>` from /app as uid
# 10001, writes nothing outside /tmp (a read-only root filesystem works) and runs the
# migrations with `node packages/platform/dist/bin/migrate.js` (the api image in compose).

# The same Node as the `node` devDependency in package.json, which local runs use.
ARG NODE_VERSION=24.21.0

# --- build: all dependencies, every workspace compiled to dist/ ----------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/platform/package.json packages/platform/
COPY packages/event-store/package.json packages/event-store/
COPY packages/testkit/package.json packages/testkit/
COPY services/api/package.json services/api/
COPY services/processor/package.json services/processor/
COPY services/notifier/package.json services/notifier/
COPY services/scheduler/package.json services/scheduler/
COPY tools/payment-simulator/package.json tools/payment-simulator/
COPY tools/dlq/package.json tools/dlq/
# Fixes to dependencies (patches/README.md), applied by npm ci's postinstall.
COPY patches/ patches/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json ./
COPY packages/ packages/
COPY services/ services/
COPY tools/ tools/
RUN npm run build

# --- prod-deps: production dependencies and the @orderflow/* workspace links only ----
# Without the devDependencies, so neither the compiler nor the `node` package (a
# second Node binary) reaches the images.
FROM node:${NODE_VERSION}-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/platform/package.json packages/platform/
COPY packages/event-store/package.json packages/event-store/
COPY packages/testkit/package.json packages/testkit/
COPY services/api/package.json services/api/
COPY services/processor/package.json services/processor/
COPY services/notifier/package.json services/notifier/
COPY services/scheduler/package.json services/scheduler/
COPY tools/payment-simulator/package.json tools/payment-simulator/
COPY tools/dlq/package.json tools/dlq/
RUN --mount=type=cache,target=/root/.npm \
  npm ci --omit=dev --workspaces --include-workspace-root --ignore-scripts --no-audit --no-fund \
  && test ! -e node_modules/node \
  && test -L node_modules/@orderflow/platform
# The install above runs no scripts: the patched dependencies come from the build stage.
COPY --from=build /src/node_modules/mongodb node_modules/mongodb

# --- app: the tree the images run, /app ---------------------------------------------
# The compiled JavaScript of each workspace next to its package.json (the services read
# their version there), and the risk model @orderflow/core/models/risk-model.json names
# (the processor's default RISK_MODEL_PATH). The test kit ships no code.
FROM prod-deps AS app
COPY --from=build /src/packages/core/dist packages/core/dist
COPY --from=build /src/packages/core/models packages/core/models
COPY --from=build /src/packages/platform/dist packages/platform/dist
COPY --from=build /src/packages/event-store/dist packages/event-store/dist
COPY --from=build /src/services/api/dist services/api/dist
COPY --from=build /src/services/processor/dist services/processor/dist
COPY --from=build /src/services/notifier/dist services/notifier/dist
COPY --from=build /src/services/scheduler/dist services/scheduler/dist
COPY --from=build /src/tools/payment-simulator/dist tools/payment-simulator/dist
COPY --from=build /src/tools/dlq/dist tools/dlq/dist
RUN find packages/*/dist services/*/dist tools/*/dist -type f \
  \( -name '*.d.ts' -o -name '*.d.ts.map' -o -name '*.tsbuildinfo' \) -delete

# --- runtime: what every service image shares ---------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ARG VERSION=0.1.0
ARG SOURCE
# The services need node alone: package managers stay out of the running images.
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
  /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-*
ENV NODE_ENV=production
WORKDIR /app
# Owned by root: the service user can read its code but not change it.
COPY --from=app /app /app
USER 10001:10001
# node is PID 1 and receives SIGTERM itself; each service handles it (graceful stop).
ENTRYPOINT []
LABEL org.opencontainers.image.vendor="Orderflow" \
  org.opencontainers.image.version="${VERSION}" \
  org.opencontainers.image.source="${SOURCE}" \
  org.opencontainers.image.licenses="MIT"

FROM runtime AS processor
LABEL org.opencontainers.image.title="orderflow-processor" \
  org.opencontainers.image.description="Orderflow processor: validates orders in a worker pool and drives payment"
ENV OPS_PORT=9101
EXPOSE 9101
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.OPS_PORT||9101)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--import", "@orderflow/platform/register", "services/processor/dist/main.js"]

FROM runtime AS notifier
LABEL org.opencontainers.image.title="orderflow-notifier" \
  org.opencontainers.image.description="Orderflow notifier: mails on terminal order events and their audit trail"
ENV OPS_PORT=9102
EXPOSE 9102
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.OPS_PORT||9102)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--import", "@orderflow/platform/register", "services/notifier/dist/main.js"]

FROM runtime AS scheduler
LABEL org.opencontainers.image.title="orderflow-scheduler" \
  org.opencontainers.image.description="Orderflow scheduler: expiry, overdue settlement and outbox sweeps (leader lease)"
ENV OPS_PORT=9103
EXPOSE 9103
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.OPS_PORT||9103)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--import", "@orderflow/platform/register", "services/scheduler/dist/main.js"]

FROM runtime AS payment-simulator
LABEL org.opencontainers.image.title="orderflow-payment-simulator" \
  org.opencontainers.image.description="Orderflow payment provider simulator (development and test only)"
ENV PORT=8090
EXPOSE 8090
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8090)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--import", "@orderflow/platform/register", "tools/payment-simulator/dist/main.js"]

# The api last: the default target of a plain `docker build .`.
FROM runtime AS api
LABEL org.opencontainers.image.title="orderflow-api" \
  org.opencontainers.image.description="Orderflow api: HTTP API, payment webhooks, live streams (node:cluster)"
ENV PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--import", "@orderflow/platform/register", "services/api/dist/main.js"]
