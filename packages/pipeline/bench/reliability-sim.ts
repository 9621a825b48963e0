// Issue 19's reliability figures: 20 % careless users (a reviewer rejects 80 % of their
// corrections, 5 % of honest users'), a random 10 % of corrections reviewed. Target: the
// careless users' share of exported weight falls by at least half, honest users' weight by at
// most 5 %. Five seeds, two spreads of activity per user (σ of the log-normal).
//
//   pnpm exec tsx packages/pipeline/bench/reliability-sim.ts
import { runReliabilitySim } from '../src/testing/reliability-sim.ts'

const pct = (x: number) => `${(x * 100).toFixed(1)} %`
for (const sigma of [1.2, 0.8]) {
  console.log(`\nactivity σ ${sigma} (corrections per user log-normal, median 4.5)`)
  console.log(
    'seed  corrections  reviewed  careless share  → after   fall    honest weight lost  unreliable (careless / honest users)',
  )
  for (let seed = 1; seed <= 5; seed++) {
    const r = runReliabilitySim({ seed, activitySigma: sigma })
    console.log(
      `${String(seed).padEnd(6)}${String(r.corrections).padEnd(13)}${String(r.reviewed).padEnd(10)}${pct(r.carelessShareBefore).padEnd(16)}${pct(r.carelessShareAfter).padEnd(10)}${pct(r.carelessShareFall).padEnd(8)}${pct(r.honestWeightFall).padEnd(20)}${r.unreliable.careless} / ${r.users.careless}, ${r.unreliable.honest} / ${r.users.honest}`,
    )
  }
}
