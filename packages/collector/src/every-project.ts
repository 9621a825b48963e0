// A background job over every project, on a timer: the adversary scan and the webhook watch.

/** Options of {@link everyProject}. */
export interface EveryProjectOptions {
  everyMs: number
  /** The job's name in a failure's log line. */
  name: string
  log?: (message: string, err: unknown) => void
}

/**
 * Runs `job` for each project every `everyMs` until stopped, one round after another; a
 * project's failure goes to `log` and the next project and round run anyway. The timer does
 * not keep the process alive.
 *
 * @example const stop = everyProject(store, (p) => scanner.scan(p), { everyMs: 300_000, name: 'scan' })
 */
export function everyProject<P extends { id: string }>(
  store: { listProjects(): Promise<P[]> },
  job: (project: P) => Promise<unknown>,
  options: EveryProjectOptions,
): () => void {
  const log = options.log ?? ((message, err) => console.error(message, err))
  let stopped = false
  let round: Promise<void> = Promise.resolve()
  const timer = setInterval(() => {
    round = round.then(async () => {
      try {
        for (const project of await store.listProjects()) {
          if (stopped) return
          await job(project).catch((err: unknown) =>
            log(`tightloop: ${options.name} of project ${project.id} failed`, err),
          )
        }
      } catch (err) {
        log(`tightloop: ${options.name} failed`, err)
      }
    })
  }, options.everyMs)
  timer.unref()
  return () => {
    stopped = true
    clearInterval(timer)
  }
}
