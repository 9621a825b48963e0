// Adversary detection on simulated traffic: per attacker kind, how many accounts get flagged
// and how many of their rows still reach the export (flags quarantine, no person acting), and
// how many honest users get flagged, over several seeds.
// Run: pnpm exec tsx packages/pipeline/bench/adversary-sim.ts
import {
  ATTACKER_KINDS,
  type AttackerKind,
  DEFAULT_SIMULATION,
  EVASIVE_KINDS,
  measureDefence,
  simulateTraffic,
} from '../src/testing/traffic-sim.ts'

const SEEDS = [DEFAULT_SIMULATION.seed, 1, 2, 3, 4, 5, 6, 7]
const pct = (n: number) => `${(100 * n).toFixed(1)} %`
const range = (values: number[], f: (n: number) => string) =>
  Math.min(...values) === Math.max(...values)
    ? f(values[0]!)
    : `${f(Math.min(...values))} – ${f(Math.max(...values))}`

console.log('$ pnpm exec tsx packages/pipeline/bench/adversary-sim.ts')
console.log(
  `${DEFAULT_SIMULATION.honestUsers} honest users (log-normal sessions, 3 % heavy users) over ${DEFAULT_SIMULATION.days} days, seeds ${SEEDS.join(', ')}\n`,
)
const flagged = new Map<AttackerKind, number[]>()
const leaked = new Map<AttackerKind, number[]>()
const honest: number[] = []
const honestRowsLost: number[] = []
let poisonersFlagged = 0
let poisoners = 0
let poisonerRows = 0
for (const seed of SEEDS) {
  const report = measureDefence(
    simulateTraffic({ ...DEFAULT_SIMULATION, seed }),
    DEFAULT_SIMULATION.now,
  )
  honest.push(report.honestFlaggedShare)
  honestRowsLost.push(report.honestRows ? report.honestRowsLost / report.honestRows : 0)
  for (const kind of ATTACKER_KINDS) {
    const k = report.byKind[kind]
    flagged.set(kind, [...(flagged.get(kind) ?? []), k.flaggedUsers / k.users])
    leaked.set(kind, [...(leaked.get(kind) ?? []), k.rowsWithDetection])
    if (!EVASIVE_KINDS.includes(kind)) {
      poisonersFlagged += k.flaggedUsers
      poisoners += k.users
      poisonerRows += k.rowsWithDetection
    }
  }
}
console.log('kind           accounts  flagged (min – max)  rows in export (min – max)')
for (const kind of ATTACKER_KINDS) {
  const note = EVASIVE_KINDS.includes(kind) ? '  (built to evade: not claimed)' : ''
  console.log(
    `${kind.padEnd(14)} ${String(DEFAULT_SIMULATION.attackers[kind]).padStart(8)}  ${range(flagged.get(kind)!, pct).padStart(19)}  ${range(leaked.get(kind)!, String).padStart(26)}${note}`,
  )
}
console.log(
  `\npoisoners flagged (all claimed kinds, all seeds): ${poisonersFlagged}/${poisoners} (${pct(poisonersFlagged / poisoners)}); their rows in the export: ${poisonerRows}`,
)
console.log(
  `honest users flagged per seed: ${range(honest, pct)}; honest rows lost: ${range(honestRowsLost, pct)}`,
)
