// How long a durable commit waits for the disk, without SQLite: every 5 ms, write one group
// commit's worth of WAL (256 KiB, about what 70,000 events/s write in 5 ms) and fsync it, as
// SQLite does with synchronous=FULL; alone, and while another thread streams checkpoint-like
// writes (a second file, fsync'd every 100 ms) at the rates the collector's own checkpoints
// reach. The p99 of these fsyncs is a floor under any ingest p99 on this disk.
// Run: pnpm exec tsx bench/fsync-tail.ts [--seconds 8] [--runs 3] [--rates 0,50,100] [--dir /some/disk]
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'

const GROUP_BYTES = 256 << 10
const EVERY_MS = 5
const WAL_BYTES = 32 << 20 // the WAL is reused from its start, as after a checkpoint restart

const option = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1]! : fallback
}

/**
 * Background, on its own thread: `mbPerS` MiB/s into a growing file, fsync'd every 100 ms
 * (a checkpoint). Plain JavaScript: a worker starts without the TypeScript loader.
 */
const CHECKPOINTER_SOURCE = `
const { closeSync, fsyncSync, openSync, writeSync } = require('node:fs')
const { parentPort, workerData } = require('node:worker_threads')
const fd = openSync(workerData.path, 'w')
const chunk = Buffer.alloc(1 << 20, 3)
let offset = 0
const timer = setInterval(() => {
  for (let i = 0; i < workerData.mbPerS / 10; i++) {
    writeSync(fd, chunk, 0, chunk.length, offset)
    offset = (offset + chunk.length) % (1 << 30)
  }
  fsyncSync(fd)
}, 100)
parentPort.on('message', () => {
  clearInterval(timer)
  closeSync(fd)
  parentPort.close()
})
`

async function measure(dir: string, mbPerS: number, seconds: number) {
  const background =
    mbPerS > 0
      ? new Worker(CHECKPOINTER_SOURCE, {
          eval: true,
          workerData: { path: join(dir, 'db'), mbPerS },
        })
      : undefined
  const fd = openSync(join(dir, 'wal'), 'w+')
  writeSync(fd, Buffer.alloc(WAL_BYTES))
  fsyncSync(fd)
  const group = Buffer.alloc(GROUP_BYTES, 7)
  const waits: number[] = []
  let offset = 0
  const end = Date.now() + seconds * 1000
  await new Promise((resolve) => setTimeout(resolve, 300))
  while (Date.now() < end) {
    writeSync(fd, group, 0, group.length, offset)
    offset = (offset + group.length) % WAL_BYTES
    const start = performance.now()
    fsyncSync(fd)
    waits.push(performance.now() - start)
    await new Promise((resolve) => setTimeout(resolve, EVERY_MS))
  }
  closeSync(fd)
  if (background) {
    background.postMessage('stop')
    await new Promise((resolve) => background.once('exit', resolve))
  }
  waits.sort((a, b) => a - b)
  const at = (q: number) => waits[Math.min(waits.length - 1, Math.floor(waits.length * q))]!
  return { n: waits.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: waits.at(-1)! }
}

async function main() {
  const seconds = Number(option('seconds', '8'))
  const runs = Number(option('runs', '3'))
  const rates = option('rates', '0,50,100').split(',').map(Number)
  const dir = mkdtempSync(join(option('dir', tmpdir()), 'tightloop-fsync-'))
  try {
    console.log(
      `fsync of a ${GROUP_BYTES >> 10} KiB WAL write every ${EVERY_MS} ms, ${seconds} s per run`,
    )
    console.log('| background writes | run | fsyncs | p50 ms | p90 ms | p99 ms | max ms |')
    console.log('|---|---|---|---|---|---|---|')
    const f = (x: number) => x.toFixed(2)
    for (const rate of rates)
      for (let run = 1; run <= runs; run++) {
        const r = await measure(dir, rate, seconds)
        console.log(
          `| ${rate} MiB/s | ${run} | ${r.n} | ${f(r.p50)} | ${f(r.p90)} | ${f(r.p99)} | ${f(r.max)} |`,
        )
      }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
