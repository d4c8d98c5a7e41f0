# syntax=docker/dockerfile:1
# Build stage: install everything, compile, then drop dev dependencies.
FROM node:26-slim AS build
# better-sqlite3 (the embedded run log) compiles its native addon when no prebuilt one fits.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
# The console, built by Vite into dist/ui (its client's types, test/client/minion-api.d.ts, are
# type-only imports: the build does not read them).
COPY console ./console
ARG MINION_GITHASH=unknown
ENV MINION_GITHASH=${MINION_GITHASH}
RUN npm run build && npm prune --omit=dev

# Runtime stage: only what runs, as the unprivileged "node" user.
FROM node:26-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8080
VOLUME ["/app/data"]
# The image has no curl; Node's fetch probes the liveness endpoint.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/v1/minion/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The program is the entrypoint, so arguments go to minion as they went to the original's image
# (`docker run minion -config /etc/minion/config.json`), never to node itself.
ENTRYPOINT ["node", "dist/main.js"]
CMD []
