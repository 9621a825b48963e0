// Pools the batch-1 rounds of several `bench/load.ts` invocations: each round's SQLite run over
// the bare route's run beside it, their median, and a bootstrap 95 % interval of that median.
// Run: pnpm exec tsx bench/pool-ratios.ts run1.log run2.log …  (each the stderr of one load.ts)
import { readFileSync } from 'node:fs'

const files = process.argv.slice(2)
if (files.length === 0) {
  console.error('usage: pnpm exec tsx bench/pool-ratios.ts <load.ts stderr log>…')
  process.exit(2)
}

/** events/s by run number, for one target at batch 1 (one process). */
function runs(text: string, engine: string): Map<string, number> {
  const line = new RegExp(`batch 1: ${engine} x1 run (\\d+): (\\d+) events/s`, 'g')
  return new Map([...text.matchAll(line)].map((m) => [m[1]!, Number(m[2])]))
}

const median = (values: number[]) => {
  const v = [...values].sort((a, b) => a - b)
  const mid = v.length >> 1
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2
}

const ratios: number[] = []
for (const file of files) {
  const text = readFileSync(file, 'utf8')
  const bare = runs(text, 'bare')
  const sqlite = runs(text, 'sqlite')
  const mine = [...sqlite].filter(([run]) => bare.has(run)).map(([run, n]) => n / bare.get(run)!)
  console.log(`${file}: ${mine.map((r) => r.toFixed(3)).join(' ') || 'no paired batch-1 runs'}`)
  ratios.push(...mine)
}
if (ratios.length === 0) process.exit(1)

// A fixed seed, so the same logs always give the same interval.
let seed = 20261127
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31
  return seed / 2 ** 31
}
const medians = Array.from({ length: 10_000 }, () =>
  median(ratios.map(() => ratios[Math.floor(random() * ratios.length)]!)),
).sort((a, b) => a - b)
const atLeast = ratios.filter((r) => r >= 0.4).length
console.log(
  `${ratios.length} rounds, median ${median(ratios).toFixed(3)} (bootstrap 95 %: ` +
    `${medians[250]!.toFixed(3)}–${medians[9750]!.toFixed(3)}), ${atLeast} at 0.40 or more`,
)
