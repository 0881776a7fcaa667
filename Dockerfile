# syntax=docker/dockerfile:1
# leadflow's production image: one image, two roles (API and worker), chosen by the command.
#   docker build -t leadflow .
#   docker run leadflow                                   # the API (node api/main.ts)
#   docker run leadflow node --import tsx worker/main.ts  # a worker
# deploy/compose.yaml runs the whole stack from it; docs/deploying.md explains the choices.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- deps: production dependencies only (no test tools, no embedded PostgreSQL) -------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NODE_ENV=production npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
# postinstall generates the Prisma client from the schema, so the schema and its script come first.
COPY package.json package-lock.json prisma.config.ts tsconfig.json ./
COPY prisma ./prisma
COPY scripts ./scripts
RUN npm ci --omit=dev && npm cache clean --force

# --- app: the business app's static files (Vite is a dev dependency: only app/dist leaves this stage) --
FROM ${NODE_IMAGE} AS app
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci --ignore-scripts
COPY app ./app
COPY scripts ./scripts
RUN node --import tsx scripts/app/build.ts

# --- build: the workflow bundle, made once here so workers never run webpack at start -------
FROM deps AS build
COPY . .
COPY --from=app /app/app/dist ./app/dist
RUN node --import tsx scripts/build-workflow-bundle.ts dist/workflow-bundle.js

# --- runtime ---------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    PORT=3000 \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
COPY --from=build --chown=root:root /app ./
# The code is owned by root and read-only to the process; it runs as the image's unprivileged `node` user.
USER node
EXPOSE 3000
# node is PID 1, started directly (not through npm or the tsx CLI, which would put a parent
# process in front of it): SIGTERM reaches it, the API closes its server and the worker
# drains its activities (Worker.run handles SIGTERM). Neither process spawns children, so
# there are no orphans for an init to reap.
CMD ["node", "--import", "tsx", "api/main.ts"]
