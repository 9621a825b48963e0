// The dashboard's breakdowns: escalation reasons, CSAT, versions, candidates, gates.
import type { StatsReport } from './api.ts'
import { formatValue } from './charts.ts'

/** What each drop reason means, in a few words. */
export const DROP_REASON_TEXT: Record<string, string> = {
  excluded_signal: 'thumbs-up and impressions never train',
  signal_disabled: 'signal turned off for the project',
  adversarial_user: 'user on the adversary list',
  invalid_timestamp: 'time unreadable',
  older_than_ttl: 'older than the TTL: stale',
  before_version_change: 'from before the latest product-version change',
  outdated_product_version: 'stamped with an outdated product version',
  missing_prompt: 'no prompt to train on',
  missing_response: 'no answer to train on',
  csat_not_negative: 'CSAT 3–5: not a complaint',
  eval_holdout: 'answer held out in the eval slice',
  typo_correction: 'correction under 10 edits: a typo fix',
  duplicate: 'same row already counted',
}

/** Escalation reasons over the range, largest first. */
export function EscalationBreakdown({ report }: { report: StatsReport }) {
  const entries = Object.entries(report.totals.escalationReasons).sort((a, b) => b[1] - a[1])
  const total = entries.reduce((sum, [, n]) => sum + n, 0)
  return (
    <section class="card" data-section="escalations">
      <h2>Escalation reasons</h2>
      {total === 0 ? (
        <p class="muted">No escalation in the range.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>reason</th>
              <th class="num">escalations</th>
              <th class="num">share</th>
            </tr>
          </thead>
          <tbody>
            {entries.map(([reason, n]) => (
              <tr key={reason} data-reason={reason}>
                <td>{reason}</td>
                <td class="num">{n.toLocaleString('en')}</td>
                <td class="num">{formatValue(n / total, 'percent')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

/** CSAT distribution over the range. */
export function CsatDistribution({ report }: { report: StatsReport }) {
  const counts = [0, 0, 0, 0, 0]
  for (const d of report.days) for (let i = 0; i < 5; i++) counts[i]! += d.csat.distribution[i]!
  const total = counts.reduce((a, b) => a + b, 0)
  return (
    <section class="card" data-section="csat">
      <h2>CSAT distribution</h2>
      <table>
        <thead>
          <tr>
            <th>score</th>
            <th class="num">ratings</th>
            <th class="num">share</th>
          </tr>
        </thead>
        <tbody>
          {counts.map((n, i) => (
            <tr key={i}>
              <td>{i + 1}</td>
              <td class="num">{n.toLocaleString('en')}</td>
              <td class="num">{formatValue(total ? n / total : null, 'percent')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}

/** Training candidates by signal, and everything the filter dropped, by reason. */
export function Candidates({ report }: { report: StatsReport }) {
  const c = report.candidates
  const signals = Object.entries(c.bySignal).filter(([, s]) => s.events > 0)
  const drops = Object.entries(c.dropped)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
  return (
    <section class="card wide" data-section="candidates">
      <h2>Training candidates</h2>
      <p class="muted">
        What an export would keep today: TTL {c.policy.ttlDays} days, {c.policy.excludedUsers}{' '}
        excluded users, {c.policy.versionChanges} version changes. {c.rows.toLocaleString('en')}{' '}
        rows from {c.events.toLocaleString('en')} events; {c.rowsLast30Days.toLocaleString('en')}{' '}
        rows in the last 30 days.
      </p>
      <div class="split">
        <table data-table="by-signal">
          <thead>
            <tr>
              <th>signal</th>
              <th class="num">events</th>
              <th class="num">rows</th>
              <th class="num">dropped</th>
            </tr>
          </thead>
          <tbody>
            {signals.map(([signal, s]) => (
              <tr key={signal} data-signal={signal}>
                <td>{signal}</td>
                <td class="num">{s.events.toLocaleString('en')}</td>
                <td class="num">{s.rows.toLocaleString('en')}</td>
                <td class="num">{(s.events - s.rows).toLocaleString('en')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table data-table="drops">
          <thead>
            <tr>
              <th>dropped because</th>
              <th class="num">events</th>
            </tr>
          </thead>
          <tbody>
            {drops.map(([reason, n]) => (
              <tr key={reason} data-reason={reason}>
                <td>
                  <code>{reason}</code> <span class="muted">{DROP_REASON_TEXT[reason] ?? ''}</span>
                </td>
                <td class="num">{n.toLocaleString('en')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}

/** Per product version over the range: the same rates, side by side. */
export function VersionTable({ report }: { report: StatsReport }) {
  const byVersion = new Map<
    string,
    { shown: number; down: number; corrections: number; csat: number; csatN: number; days: number }
  >()
  for (const v of report.versions) {
    const key = v.productVersion ?? 'unknown'
    const row = byVersion.get(key) ?? {
      shown: 0,
      down: 0,
      corrections: 0,
      csat: 0,
      csatN: 0,
      days: 0,
    }
    row.shown += v.shown
    row.down += v.volume.thumbs_down
    row.corrections += v.volume.explicit_correction
    row.csat += (v.csat.mean ?? 0) * v.csat.count
    row.csatN += v.csat.count
    row.days += 1
    byVersion.set(key, row)
  }
  return (
    // Full width: six numeric columns do not fit a third of the page.
    <section class="card wide" data-section="versions">
      <h2>Per product version</h2>
      <table>
        <thead>
          <tr>
            <th>version</th>
            <th class="num">days</th>
            <th class="num">shown</th>
            <th class="num">thumbs-down</th>
            <th class="num">corrections</th>
            <th class="num">CSAT</th>
          </tr>
        </thead>
        <tbody>
          {[...byVersion].map(([version, r]) => (
            <tr key={version} data-version={version}>
              <td>{version}</td>
              <td class="num">{r.days}</td>
              <td class="num">{r.shown.toLocaleString('en')}</td>
              <td class="num">{formatValue(r.shown ? r.down / r.shown : null, 'percent')}</td>
              <td class="num">
                {formatValue(r.shown ? r.corrections / r.shown : null, 'percent')}
              </td>
              <td class="num">{formatValue(r.csatN ? r.csat / r.csatN : null, 'decimal')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}

interface GateCheckView {
  name: string
  passed: boolean
  message: string
}

/** Recorded promotion decisions, newest first. */
export function GateHistory({ report }: { report: StatsReport }) {
  const gates = [...report.gates].sort((a, b) => b.decidedAt.localeCompare(a.decidedAt))
  return (
    <section class="card wide" data-section="gates">
      <h2>Gate history</h2>
      {gates.length === 0 ? (
        <p class="muted">No gate decision in the range (POST /v1/gate or tightloop gate).</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>decided</th>
              <th>model</th>
              <th>verdict</th>
              <th>checks</th>
            </tr>
          </thead>
          <tbody>
            {gates.map((g) => {
              const report = (g.report ?? {}) as { label?: string | null; checks?: GateCheckView[] }
              return (
                <tr key={g.id} data-promote={String(g.promote)}>
                  <td>{g.decidedAt.slice(0, 16).replace('T', ' ')}</td>
                  <td>{report.label ?? '–'}</td>
                  <td class={g.promote ? 'pass' : 'fail'}>{g.promote ? 'promote' : 'blocked'}</td>
                  <td>
                    {(report.checks ?? []).map((check) => (
                      <div key={check.name} class={check.passed ? 'pass' : 'fail'}>
                        {check.passed ? '✓' : '✗'} {check.message}
                      </div>
                    ))}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
    </section>
  )
}
