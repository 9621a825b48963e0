#!/bin/sh
# The image's build steps, shared by the Dockerfile and scripts/container/check.sh (which runs
# them without Docker): install everything, build, then keep only what the server needs to run.
set -eu
pnpm install --frozen-lockfile
pnpm build
# Development dependencies go; better-sqlite3 and pg stay for the built server.
CI=true pnpm install --prod --frozen-lockfile
