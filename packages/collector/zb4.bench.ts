import { feedbackEventSchema } from '@tightloop/schema'
import { acceptsAsIs } from './src/accept.ts'
const occurredAt = new Date().toISOString()
const events = Array.from({ length: 50 }, (_, i) => ({ eventId: `lxyz${String(i).padStart(9, '0')}`, signal: i % 2 ? 'thumbs_down' : 'response_shown', requestId: `req-${i}`, sessionId: 'sess-load', userId: `user-${i % 7}`, occurredAt, prompt: 'How do I reset my password if I no longer have access to my e-mail?', response: 'Open Settings, choose Security, then Reset password and follow the steps sent to you.', productVersion: '2026.11' }))
const j = JSON.parse(JSON.stringify(events))
function t(name: string, f: () => void, n = Number(process.env.N ?? 20000)) { for (let i = 0; i < 2000; i++) f(); const s = process.hrtime.bigint(); for (let i = 0; i < n; i++) f(); const ns = Number(process.hrtime.bigint() - s) / n; console.log(name, (ns / 50 / 1000).toFixed(3), 'us/event') }
for (let r = 0; r < (process.env.R ? 1 : 3); r++) {
if (!process.env.R) t('zod', () => { for (const e of j) feedbackEventSchema.safeParse(e) })
t('accept', () => { for (const e of j) if (!acceptsAsIs(e)) throw new Error('no') })
}
