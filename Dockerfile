# The collector as an image: built in one stage, run as a non-root user in a slim one, the
# SQLite file on a volume. The same steps run without Docker in scripts/container/check.sh.
FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles from source where no prebuilt binary can be downloaded.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/* && npm install -g pnpm@12.4.2
ENV npm_config_nodedir=/usr/local
WORKDIR /app
COPY . .
RUN sh scripts/container/build.sh

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /data && chown node:node /data
USER node
ENV HOST=0.0.0.0 PORT=8787 TIGHTLOOP_DATABASE=/data/tightloop.db TIGHTLOOP_LOG=json
VOLUME /data
EXPOSE 8787
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s \
  CMD ["node", "scripts/container/healthcheck.mjs"]
CMD ["node", "apps/collector/dist/main.js"]
