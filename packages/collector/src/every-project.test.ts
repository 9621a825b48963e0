import { expect, it } from 'vitest'
import { everyProject } from './every-project.ts'

it('runs the job for each project every round, logs a failing one and goes on, stops', async () => {
  const ran: string[] = []
  const logged: string[] = []
  const store = { listProjects: async () => [{ id: 'a' }, { id: 'b' }] }
  const stop = everyProject(
    store,
    async (p) => {
      ran.push(p.id)
      if (p.id === 'a') throw new Error('boom')
    },
    { everyMs: 20, name: 'test job', log: (message) => logged.push(message) },
  )
  for (let i = 0; i < 250 && ran.length < 4; i++) await new Promise((r) => setTimeout(r, 20))
  stop()
  const after = ran.length
  await new Promise((r) => setTimeout(r, 60))
  expect(ran.length).toBe(after)
  expect(ran.slice(0, 4)).toEqual(['a', 'b', 'a', 'b'])
  expect(logged[0]).toBe('tightloop: test job of project a failed')
})
