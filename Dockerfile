# syntax=docker/dockerfile:1
#
# One image for the poller (default command), its CLI and the Wolkvox simulator (the demo and
# docker-compose.yml run it with another command).
#
# Node 26: the Active LTS line since 2026-10-28 (24 moved to Maintenance LTS on 2026-10-20 and
# gets security fixes only; 22 is in Maintenance until 2027-04-30). An image built today should
# start on the line that gets fixes longest. NODE_VERSION=24 builds on the previous LTS.
ARG NODE_VERSION=26

# --- build: dev dependencies, tsc + tsc-alias, then only production dependencies are kept ----
FROM node:${NODE_VERSION}-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- runtime: no compiler, no sources, not root -----------------------------------------------
FROM node:${NODE_VERSION}-slim AS runtime
ENV NODE_ENV=production
# kafkajs's notice that its default partitioner changed in v2.0 concerns upgrades from v1; the
# topics have only ever been written with v2's (the Java client's) partitioner.
ENV KAFKAJS_NO_PARTITIONER_WARNING=1
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The `node` user (uid 1000) of the official image; files stay root-owned and read-only to it.
USER node
# Health (/health/live, /health/ready) and metrics (/metrics): HTTP_PORT, 8080 by default.
EXPOSE 8080
# SIGTERM reaches node directly (exec form), which finishes the cycle in flight and exits.
STOPSIGNAL SIGTERM
CMD ["node", "dist/apps/poller/src/main.js"]
