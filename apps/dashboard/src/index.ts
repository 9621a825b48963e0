// Public API of @tightloop/dashboard: the pieces the page is made of, for tests and embedding.
export { DEFAULT_DAYS, fetchStats, keyProblem, StatsError, type StatsReport } from './api.ts'
export { type ChartLine, type ChartSpec, chartSpecs, formatValue } from './charts.ts'
export { createSession, type Session, type SessionDeps } from './session.ts'
