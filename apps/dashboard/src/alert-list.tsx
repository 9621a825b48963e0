// The alert list: today's alerts with their evidence, and when each kind began.
import type { StatsReport } from './api.ts'
import { formatValue } from './charts.ts'

const RULE_TEXT: Record<string, string> = {
  guardrail_drift: 'Guardrail drift',
  reward_hacking: 'Reward hacking',
  low_volume: 'Too little feedback',
  adversarial_traffic: 'Adversarial traffic',
}

/** The alerts of the last day, then when each kind began in the reported range. */
export function AlertList({ report }: { report: StatsReport }) {
  const current = report.currentAlerts
  const firstByKey = new Map<string, StatsReport['alerts'][number]>()
  for (const alert of report.alerts) {
    const key = `${alert.rule}:${alert.metric ?? ''}`
    if (!firstByKey.has(key)) firstByKey.set(key, alert)
  }
  return (
    <section class="card" aria-labelledby="alerts-title" data-section="alerts">
      <h2 id="alerts-title">
        Alerts today <span class="count">{current.length}</span>
      </h2>
      {current.length === 0 ? (
        <p class="ok">No alert on {report.days.at(-1)?.day ?? 'the last day'}.</p>
      ) : (
        <ul class="alerts">
          {current.map((alert) => (
            <li class="alert" data-rule={alert.rule} key={`${alert.rule}:${alert.metric ?? ''}`}>
              <strong>
                {RULE_TEXT[alert.rule] ?? alert.rule}
                {alert.metric ? ` · ${alert.metric}` : ''}
              </strong>
              <p>{alert.message}</p>
              <dl class="evidence">
                {Object.entries(alert.evidence).map(([name, value]) => (
                  <div key={name}>
                    <dt>{name}</dt>
                    <dd>{formatValue(value, 'decimal')}</dd>
                  </div>
                ))}
              </dl>
            </li>
          ))}
        </ul>
      )}
      {firstByKey.size > 0 && (
        <details>
          <summary>
            {report.alerts.length === 1
              ? '1 alert-day in the range; when it began'
              : `${report.alerts.length} alert-days in the range; when each kind began`}
          </summary>
          <table>
            <thead>
              <tr>
                <th>rule</th>
                <th>first day</th>
                <th>message</th>
              </tr>
            </thead>
            <tbody>
              {[...firstByKey.values()].map((a) => (
                <tr key={`${a.rule}:${a.metric ?? ''}`} data-rule={a.rule}>
                  <td>
                    {a.rule}
                    {a.metric ? ` (${a.metric})` : ''}
                  </td>
                  <td>{a.day}</td>
                  <td>{a.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </section>
  )
}
