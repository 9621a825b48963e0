// Export lineage: every export run that wrote records is recorded with the users it held, so an
// erasure can name the datasets (and the models trained on them) that must be rebuilt.
//
// Why users, not event ids: a deletion asks "which exports held this person", and a run holds
// far fewer users than events (a 1M-event export stores one row per distinct user whose
// feedback gave a record, not a million ids), and user ids survive the renumbering of rows.
import type { ExportRunRecord, Store } from '../store/types.ts'
import type { ExportRun } from './export.ts'

/** How an export ended and where it ran. */
export interface ExportEnd {
  /** False when the reader went away before the last record. */
  complete: boolean
  via: 'http' | 'cli'
}

/**
 * Records a finished (or abandoned) export run and the users whose events it wrote.
 *
 * @example await recordExportRun(store, project.id, run, { complete: true, via: 'cli' })
 */
export function recordExportRun(
  store: Store,
  projectId: string,
  run: ExportRun,
  end: ExportEnd,
): Promise<ExportRunRecord> {
  const report = run.report()
  return store.recordExport(projectId, {
    exportedAt: report.exportedAt,
    format: report.format,
    range: report.range,
    rules: report.rules,
    events: report.events,
    records: report.records,
    complete: end.complete,
    via: end.via,
    userIds: run.users(),
  })
}
