// `tightloop webhooks`: add, list and remove a project's webhooks, and see their deliveries.
import {
  CollectorError,
  createWebhook,
  listWebhookDeliveries,
  webhookView,
} from '@tightloop/collector'
import {
  CliError,
  type Command,
  DATABASE_HELP,
  DATABASE_OPTIONS,
  EXIT_OK,
  parseFlags,
  rejectExtraArguments,
} from './command.ts'
import { selectProject, withStore } from './database.ts'
import { printTable } from './format.ts'

const HELP = `Usage: tightloop webhooks <add|list|remove|deliveries> [arguments] [options]

  tightloop webhooks add <url> --events escalation,low_csat [--format slack] [--secret S]
                                     add a webhook; its signing secret is shown this once
  tightloop webhooks list            the project's webhooks (never their secrets)
  tightloop webhooks remove <id>     remove a webhook and its pending deliveries
  tightloop webhooks deliveries <id> its latest deliveries and every attempt

Events: alert, escalation, low_csat, user_flagged, review_pending.

Options:
  --events LIST          comma-separated events the webhook receives (add)
  --format json|slack    JSON event (default) or a Slack incoming-webhook message (add)
  --secret S             signing secret, 16 to 256 characters; generated when left out (add)
  --limit N              deliveries shown (default 50)
  --json                 print JSON instead of text
${DATABASE_HELP}

Example:
  tightloop webhooks add https://hooks.slack.com/services/T0/B0/xyz --events escalation --format slack
`

/** A collector validation error, shown as the CLI's own. */
const asCliError = (err: unknown) =>
  err instanceof CollectorError ? new CliError(err.message) : err

/** The `webhooks` command. */
export const webhooksCommand: Command = {
  name: 'webhooks',
  summary: 'add, list or remove webhooks (escalations, low scores, flags) and see deliveries',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      {
        ...DATABASE_OPTIONS,
        json: { type: 'boolean' },
        events: { type: 'string' },
        format: { type: 'string' },
        secret: { type: 'string' },
        limit: { type: 'string' },
      },
      'webhooks',
    )
    const [action, arg, ...extra] = positionals
    rejectExtraArguments(extra, 'webhooks')
    const print = (value: unknown) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
    return withStore(io, values.database, async (store) => {
      const project = await selectProject(store, values.project)
      try {
        switch (action) {
          case 'add': {
            if (!arg) throw new CliError('webhooks add needs a URL')
            if (!values.events) throw new CliError('webhooks add needs --events, e.g. escalation')
            const webhook = await createWebhook(
              store,
              project.id,
              {
                url: arg,
                events: values.events.split(',').map((e) => e.trim()),
                ...(values.format !== undefined && { format: values.format }),
                ...(values.secret !== undefined && { secret: values.secret }),
              },
              Date.now(),
            )
            if (values.json) print({ webhook })
            else
              io.stdout.write(
                `added webhook ${webhook.id} (${webhook.events.join(', ')}, ${webhook.format})\n  signing secret: ${webhook.secret}\n  (shown this once: keep it where the receiver verifies X-Tightloop-Signature)\n`,
              )
            return EXIT_OK
          }
          case 'list': {
            rejectExtraArguments(arg ? [arg] : [], 'webhooks')
            const hooks = (await store.listWebhooks(project.id)).map(webhookView)
            if (values.json) print({ webhooks: hooks })
            else
              printTable(
                io.stdout,
                ['id', 'events', 'format', 'created', 'url'],
                hooks.map((h) => [h.id, h.events.join(','), h.format, h.createdAt, h.url]),
              )
            return EXIT_OK
          }
          case 'remove': {
            if (!arg) throw new CliError('webhooks remove needs a webhook id')
            if (!(await store.deleteWebhook(project.id, arg))) {
              throw new CliError(
                `no webhook ${arg} in this project`,
                'See "tightloop webhooks list".',
              )
            }
            if (values.json) print({ deleted: arg })
            else io.stdout.write(`removed webhook ${arg}\n`)
            return EXIT_OK
          }
          case 'deliveries': {
            if (!arg) throw new CliError('webhooks deliveries needs a webhook id')
            const limit = Number(values.limit ?? 50)
            if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
              throw new CliError('--limit must be 1 to 500')
            }
            const deliveries = await listWebhookDeliveries(store, project.id, arg, limit)
            if (values.json) print({ deliveries })
            else
              printTable(
                io.stdout,
                ['id', 'event', 'status', 'attempts', 'last', 'created'],
                deliveries.map((d) => {
                  const last = d.attempts.at(-1)
                  return [
                    d.id,
                    d.event,
                    d.status,
                    String(d.attempts.length),
                    last ? (last.error ?? String(last.status)) : '-',
                    d.createdAt ?? '',
                  ]
                }),
              )
            return EXIT_OK
          }
          default:
            throw new CliError(
              action
                ? `unknown action "${action}"`
                : 'webhooks needs an action: add, list, remove or deliveries',
              'See "tightloop webhooks --help".',
            )
        }
      } catch (err) {
        throw asCliError(err)
      }
    })
  },
}
