# Threadbook's production image: the standalone artifact of `npm run build` (docs/deploy.md).
# The same steps run without Docker in `npm run standalone:check` and in the e2e run's standalone stage.

# --- build: every dependency, then the standalone artifact in .next/standalone ---
FROM node:22-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# --- run: only the artifact (Next's traced production modules and Threadbook's server.js), as a non-root user ---
FROM node:22-bookworm-slim AS run
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 HOST=0.0.0.0 PORT=3000
COPY --from=build --chown=node:node /app/.next/standalone ./
USER node
EXPOSE 3000
# Liveness only (no DynamoDB or storage call): a dependency outage must not get every container restarted.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM reaches node directly (exec form, PID 1 is the server): it drains within SHUTDOWN_GRACE_SECONDS.
CMD ["node", "server.js"]
