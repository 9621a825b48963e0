// The image's HEALTHCHECK: exit 0 when GET /healthz answers 200 within 3 s, else 1.
const port = process.env.PORT || '8787'
try {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, {
    signal: AbortSignal.timeout(3_000),
  })
  process.exit(res.ok ? 0 : 1)
} catch {
  process.exit(1)
}
