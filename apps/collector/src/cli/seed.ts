// `tightloop seed`: realistic days of support-bot traffic in a project, for the demo and the
// dashboard (what `pnpm start` shows on a fresh machine).
import { createStatsCache } from '@tightloop/collector'
import { seedProject } from '../seed.ts'
import {
  type Command,
  DATABASE_HELP,
  DATABASE_OPTIONS,
  EXIT_OK,
  parseFlags,
  rejectExtraArguments,
  wholeNumber,
} from './command.ts'
import { selectProject, withStore } from './database.ts'

const HELP = `Usage: tightloop seed [options]

Writes generated traffic into a project: sessions of answers shown, votes, CSAT,
corrections, escalations and resolved sessions at realistic rates (the collector derives
abandonment and rephrase from them), a product-version change 20 days ago, a confirmed troll, three gate
decisions, and (unless --clean) the seed's reward-hacking trend over the last week: answers
up to 30 % shorter, thumbs-up flat, CSAT down. The same options give the same events, so a
second run the same day adds only the minutes since the first. Start the collector once first ("pnpm start" creates the demo
project), then seed it and open /dashboard/.

Options:
  --days <n>              days of history ending today (default 90)
  --answers-per-day <n>   answers shown a day (default 10000; 90 days take about a minute)
  --clean                 no planted trend: a series that raises no drift alert
  --seed <n>              random seed (default fixed)
${DATABASE_HELP}

Example:
  pnpm start            # once, to create the demo project; stop it, then:
  node apps/collector/bin/tightloop.mjs seed --days 30 --answers-per-day 2000
`

const OPTIONS = {
  ...DATABASE_OPTIONS,
  days: { type: 'string' },
  'answers-per-day': { type: 'string' },
  clean: { type: 'boolean' },
  seed: { type: 'string' },
} as const

/** The `seed` command. */
export const seedCommand: Command = {
  name: 'seed',
  summary: 'generate realistic days of traffic into a project (demo, dashboard)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, OPTIONS, 'seed')
    rejectExtraArguments(positionals, 'seed')
    const days = values.days === undefined ? 90 : wholeNumber('--days', values.days, 400)
    const perDay = values['answers-per-day']
    const answersPerDay =
      perDay === undefined ? 10_000 : wholeNumber('--answers-per-day', perDay, 1e6)
    const seed =
      values.seed === undefined ? 20_261_127 : wholeNumber('--seed', values.seed, 2 ** 31)
    const started = performance.now()
    // The SQLite store's writer threads are unref'd, and its close() waits for them to exit:
    // with nothing else holding the event loop, node would quit mid-close (exit 13). This
    // timer holds it until the store is closed.
    const keepAlive = setInterval(() => {}, 60_000)
    const result = await withStore(io, values.database, async (store) => {
      const project = await selectProject(store, values.project)
      const seeded = await seedProject(store, project.id, {
        days,
        answersPerDay,
        seed,
        rewardHackingDaysAgo: values.clean ? null : 7,
      })
      // The dashboard's aggregates, built once here and kept in the store: the collector loads
      // them instead of reading every seeded event on the first visit.
      const built = performance.now()
      await createStatsCache(store).saveSnapshot(project.id, Date.now())
      return { project, ...seeded, statsSeconds: (performance.now() - built) / 1000 }
    }).finally(() => clearInterval(keepAlive))
    io.stdout.write(
      `Seeded ${result.project.name} (${result.project.id}): ${result.events.toLocaleString('en')} new events, ${result.firstDay} to ${result.lastDay}, in ${((performance.now() - started) / 1000).toFixed(1)} s.\n` +
        `Version v2 since ${result.versionChange.changedAt}; ${result.gateDecisions} gate decisions added; ${values.clean ? 'no planted trend' : 'reward-hacking trend over the last 7 days'}.\n` +
        `The dashboard's statistics were built in ${result.statsSeconds.toFixed(1)} s of that and kept in the database.\n`,
    )
    return EXIT_OK
  },
}
