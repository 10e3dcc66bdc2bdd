# syntax=docker/dockerfile:1
# One image for the three services; the command picks one:
#   docker run IMAGE dist/services/detector/main.js   (default: the alerter)
# Build from the repository root: docker build -t portent .
# Operator's guide: deploy/README.md.

# --- build: dev dependencies, compile TypeScript to dist/ ---
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY schemas ./schemas
COPY services ./services
COPY tools ./tools
RUN npm run build

# --- production dependencies only, without the build tool chain ---
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime ---
FROM node:24-bookworm-slim
# tini as PID 1: the services install their SIGTERM handlers only once Kafka is
# connected, and a PID 1 without a handler ignores SIGTERM, so a pod stopped
# during start-up would wait out its whole grace period. tini forwards the
# signal (the default action then ends a starting process at once) and reaps
# zombies.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini=0.19.* \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The console bundles its web UI from these sources when first asked (services/console/web-bundle.ts).
COPY services/console/web ./dist/services/console/web
# The Avro codec finds schemas/ by walking up from dist/services/common/avro.
COPY schemas ./schemas
COPY package.json ./
# Numeric user (the image's "node"), so Kubernetes can check runAsNonRoot.
# Nothing is written at run time: the root filesystem can be read-only
# (mount an emptyDir on /tmp for safety).
USER 1000:1000
EXPOSE 8080 8081 8082
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--enable-source-maps"]
CMD ["dist/services/alerter/main.js"]
