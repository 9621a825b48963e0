// The page: a sign-in form until a secret key works, then the charts and the breakdowns.
import { useSignal, useSignalEffect } from '@preact/signals'
import { useMemo } from 'preact/hooks'
import { AlertList } from './alert-list.tsx'
import { Chart } from './chart.tsx'
import { chartSpecs } from './charts.ts'
import { Review } from './review.tsx'
import type { Session } from './session.ts'
import {
  Candidates,
  CsatDistribution,
  EscalationBreakdown,
  GateHistory,
  VersionTable,
} from './tables.tsx'

const RANGES = [30, 90, 180] as const

/** The whole dashboard for a session. `scheme` is the current colour scheme. */
export function App({ session, scheme }: { session: Session; scheme: string }) {
  const report = session.report.value
  const view = useSignal(
    typeof location !== 'undefined' && location.hash === '#review' ? 'review' : 'charts',
  )
  const show = (next: 'charts' | 'review') => {
    view.value = next
    if (typeof history !== 'undefined')
      history.replaceState(null, '', next === 'review' ? '#review' : '#')
  }
  return (
    <main>
      <header class="top">
        <h1>
          tightloop <span class="muted">drift dashboard</span>
        </h1>
        {report && (
          <nav class="controls">
            <span class="project">{report.project.name}</span>
            <button
              type="button"
              aria-pressed={view.value === 'charts'}
              onClick={() => show('charts')}
            >
              Charts
            </button>
            <button
              type="button"
              aria-pressed={view.value === 'review'}
              onClick={() => show('review')}
            >
              Review
            </button>
            {view.value === 'charts' && (
              <>
                <label>
                  Range{' '}
                  <select
                    value={String(session.days.value)}
                    onChange={(e) => session.setDays(Number((e.target as HTMLSelectElement).value))}
                  >
                    {RANGES.map((n) => (
                      <option key={n} value={String(n)}>
                        last {n} days
                      </option>
                    ))}
                  </select>
                </label>
                <button type="button" onClick={() => session.refresh()}>
                  Refresh
                </button>
              </>
            )}
            <button type="button" onClick={() => session.signOut()}>
              Sign out
            </button>
          </nav>
        )}
      </header>
      {!report ? (
        <SignIn session={session} />
      ) : view.value === 'review' ? (
        // The key is remembered once the report loaded: the queue waits for it.
        session.key.value && (
          <Review
            key={session.key.value}
            secretKey={session.key.value}
            storage={typeof localStorage !== 'undefined' ? localStorage : null}
          />
        )
      ) : (
        <Dashboard session={session} scheme={scheme} />
      )}
    </main>
  )
}

/** The sign-in form. POST with no action: even without script the key never enters a URL. */
export function SignIn({ session }: { session: Session }) {
  const key = useSignal('')
  // A key remembered in this tab signs in by itself.
  useSignalEffect(() => {
    const remembered = session.key.peek()
    if (remembered && !session.report.peek()) void session.signIn(remembered)
  })
  return (
    <form
      class="card signin"
      method="post"
      autocomplete="off"
      onSubmit={(e) => {
        e.preventDefault()
        void session.signIn(key.value)
      }}
    >
      <h2>Sign in</h2>
      <p class="muted">
        Use the project <strong>secret key</strong> (sk_…). It stays in this tab only and is sent in
        a header, never in a URL.
      </p>
      <label>
        Secret key
        <input
          name="secret-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={key.value}
          onInput={(e) => {
            key.value = (e.target as HTMLInputElement).value
          }}
        />
      </label>
      <button type="submit" disabled={session.loading.value}>
        {session.loading.value ? 'Checking…' : 'Show the dashboard'}
      </button>
      {session.building.value && <Building progress={session.building.value} />}
      {session.error.value && (
        <p class="error" role="alert">
          {session.error.value}
        </p>
      )}
    </form>
  )
}

function Building({
  progress,
}: {
  progress: { eventsRead: number; eventsStored: number; phase?: 'scan' | 'build' }
}) {
  const { eventsRead, eventsStored, phase } = progress
  const step =
    phase === 'scan'
      ? ', step 1 of 2: checking for adversaries'
      : phase === 'build'
        ? ', step 2 of 2'
        : ''
  return (
    <p class="muted" role="status" data-building>
      The collector is reading this project's events once{step} ({eventsRead.toLocaleString('en')}
      {eventsStored ? ` of ${eventsStored.toLocaleString('en')}` : ''}); later visits are instant.
      {eventsStored > 0 && <progress max={eventsStored} value={eventsRead} />}
    </p>
  )
}

function Dashboard({ session, scheme }: { session: Session; scheme: string }) {
  const report = session.report.value!
  const specs = useMemo(() => chartSpecs(report), [report])
  const first = report.days[0]?.day
  const last = report.days.at(-1)?.day
  return (
    <>
      {session.building.value && <Building progress={session.building.value} />}
      {session.error.value && (
        <p class="error" role="alert">
          {session.error.value}
        </p>
      )}
      <p class="muted summary">
        {first} to {last}: {report.totals.shown.toLocaleString('en')} answers shown,{' '}
        {report.totals.feedback.toLocaleString('en')} feedback events
        {report.totals.clientDropped > 0 &&
          `; browsers reported dropping ${report.totals.clientDropped.toLocaleString('en')} events`}
        . Computed in {report.meta.computeMs} ms.
      </p>
      {report.meta.adversaryScan === 'running' && (
        <p class="muted" role="status" data-adversary-scan>
          The collector is still checking this project's users for adversaries, the first time since
          it started: a user it flags leaves these numbers on the next load.
        </p>
      )}
      {report.meta.implicitSignals === 'running' && (
        <p class="muted" role="status" data-implicit-signals>
          The collector is still working out which sessions were abandoned and which questions were
          asked again, the first time since it started: they join these numbers on a later load.
        </p>
      )}
      <AlertList report={report} />
      <div class="charts">
        {specs.map((spec) => (
          <Chart key={spec.id} spec={spec} scheme={scheme} />
        ))}
      </div>
      <div class="grid">
        <EscalationBreakdown report={report} />
        <CsatDistribution report={report} />
        <VersionTable report={report} />
        <Candidates report={report} />
        <GateHistory report={report} />
      </div>
    </>
  )
}
