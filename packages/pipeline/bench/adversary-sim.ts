// Adversary detection on simulated traffic: how much attacker feedback reaches the export,
// and how many honest users get flagged. Run: pnpm exec tsx packages/pipeline/bench/adversary-sim.ts
import {
  ATTACKER_KINDS,
  DEFAULT_SIMULATION,
  measureDefence,
  simulateTraffic,
} from '../src/testing/traffic-sim.ts'

const SEEDS = [DEFAULT_SIMULATION.seed, 1, 2, 3, 4]
const pct = (n: number) => `${(100 * n).toFixed(2)} %`

console.log('$ pnpm exec tsx packages/pipeline/bench/adversary-sim.ts')
console.log(
  `${DEFAULT_SIMULATION.honestUsers} honest users over ${DEFAULT_SIMULATION.days} days; attackers per run: ${JSON.stringify(DEFAULT_SIMULATION.attackers)}\n`,
)
console.log('seed       events  honest flagged  detectable leak  evasive leak  overall leak')
let worstHonest = 0
let worstDetectable = 0
for (const seed of SEEDS) {
  const sim = simulateTraffic({ ...DEFAULT_SIMULATION, seed })
  const report = measureDefence(sim, DEFAULT_SIMULATION.now)
  worstHonest = Math.max(worstHonest, report.honestFlaggedShare)
  worstDetectable = Math.max(worstDetectable, report.detectableLeakShare)
  console.log(
    `${String(seed).padEnd(9)} ${String(report.events).padStart(7)}  ${`${report.honestFlagged} (${pct(report.honestFlaggedShare)})`.padStart(14)}  ${pct(report.detectableLeakShare).padStart(15)}  ${pct(report.evasiveLeakShare).padStart(12)}  ${pct(report.overallLeakShare).padStart(12)}`,
  )
  if (seed === DEFAULT_SIMULATION.seed) {
    console.log(
      '  per kind (flagged/users, rows reaching export / training events, without detection):',
    )
    for (const kind of ATTACKER_KINDS) {
      const k = report.byKind[kind]
      console.log(
        `    ${kind.padEnd(13)} ${k.flaggedUsers}/${k.users} flagged, ${k.rowsWithDetection}/${k.trainingEvents} rows (${k.rowsWithoutDetection} without detection)`,
      )
    }
    console.log(`  flags by rule: ${JSON.stringify(report.flagsByRule)}`)
    console.log(`  honest rows lost to false flags: ${report.honestRowsLost}/${report.honestRows}`)
  }
}
console.log(
  `\nworst over ${SEEDS.length} seeds: honest users flagged ${pct(worstHonest)}, detectable attacker events reaching export ${pct(worstDetectable)}`,
)
