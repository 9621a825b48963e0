// `pnpm start` as a process: first start creates the demo project and prints its keys, a
// restart reuses it, configured keys work, a kill loses no answered event, and a bad setting is
// one readable line.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeEvent } from '@tightloop/collector/testing'
import { afterEach, describe, expect, it } from 'vitest'

const main = fileURLToPath(new URL('./main.ts', import.meta.url))
const running: ChildProcess[] = []
const dirs: string[] = []
afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL')
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'tightloop-main-'))
  dirs.push(dir)
  return dir
}

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { PATH: process.env.PATH, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.push(child)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => {
    stdout += d
  })
  child.stderr.on('data', (d) => {
    stderr += d
  })
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start: ${stdout}${stderr}`)), 15_000)
    child.stdout.on('data', () => {
      const m = /collector on (http:\/\/\S+)/.exec(stdout)
      if (m) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    })
    child.on('exit', () => {
      clearTimeout(timer)
      reject(new Error(`exited: ${stdout}${stderr}`))
    })
  })
  return { child, url, output: () => ({ stdout, stderr }) }
}

async function stop(child: ChildProcess) {
  child.kill('SIGTERM')
  const [code] = await once(child, 'exit')
  return code
}

describe('the runnable collector', () => {
  it('creates the demo project on first start and reuses it on the next', async () => {
    const dir = tempDir()
    const env = { TIGHTLOOP_DATABASE: join(dir, 'db', 'tightloop.db') }
    const first = run(env)
    const url = await first.url
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ ok: true, engine: 'sqlite' })
    const { stdout } = first.output()
    expect(stdout).toMatch(/created the demo project/)
    const keys = JSON.parse(readFileSync(join(dir, 'db', 'demo-project.json'), 'utf8'))
    expect(stdout).toContain(keys.publicKey)
    const sent = await fetch(`${url}/v1/events?key=${keys.publicKey}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: [makeEvent()] }),
    })
    expect(await sent.json()).toMatchObject({ accepted: 1 })
    expect(await stop(first.child)).toBe(0)

    const second = run(env)
    const url2 = await second.url
    expect(second.output().stdout).not.toMatch(/created/)
    const project = await fetch(`${url2}/v1/project`, {
      headers: { authorization: `Bearer ${keys.secretKey}` },
    })
    expect((await project.json()).name).toBe('demo')
    const events = await fetch(`${url2}/v1/events`, {
      headers: { authorization: `Bearer ${keys.secretKey}` },
    })
    expect((await events.text()).trim().split('\n')).toHaveLength(1)
  })

  it('keeps every event it answered for when the process is killed outright', async () => {
    const dir = tempDir()
    const env = { TIGHTLOOP_DATABASE: join(dir, 'tightloop.db') }
    const first = run(env)
    const url = await first.url
    const keys = JSON.parse(readFileSync(join(dir, 'demo-project.json'), 'utf8'))
    // Single events (committed on the HTTP thread) and 60-event batches (the writer thread).
    const answered: string[] = []
    let killed = false
    const sender = async (s: number) => {
      for (let i = 0; !killed; i++) {
        const events = Array.from({ length: s % 2 ? 1 : 60 }, (_, k) =>
          makeEvent('thumbs_down', { eventId: `crash-${s}-${i}-${k}` }),
        )
        try {
          const res = await fetch(`${url}/v1/events?key=${keys.publicKey}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ events }),
          })
          const body = await res.json()
          if (res.status === 200 && body.accepted === events.length) {
            answered.push(...events.map((e) => e.eventId))
          }
        } catch {
          return // the process is gone
        }
      }
    }
    const senders = Array.from({ length: 24 }, (_, s) => sender(s))
    while (answered.length < 3_000) await new Promise((r) => setTimeout(r, 20))
    first.child.kill('SIGKILL')
    killed = true
    await Promise.all(senders)

    const second = run(env)
    const url2 = await second.url
    const stored = await fetch(`${url2}/v1/events`, {
      headers: { authorization: `Bearer ${keys.secretKey}` },
    })
    const ids = new Set(
      (await stored.text())
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).eventId as string),
    )
    expect(answered.filter((id) => !ids.has(id))).toEqual([])
    expect(answered.length).toBeGreaterThanOrEqual(3_000)
  })

  it('provisions the project the environment names', async () => {
    const dir = tempDir()
    const started = run({
      TIGHTLOOP_DATABASE: join(dir, 'tightloop.db'),
      TIGHTLOOP_PUBLIC_KEY: 'pk_configured_key_1',
      TIGHTLOOP_SECRET_KEY: 'sk_configured_key_1',
      TIGHTLOOP_ALLOWED_ORIGINS: 'https://support.example.com',
    })
    const url = await started.url
    const denied = await fetch(`${url}/v1/events?key=pk_configured_key_1`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example' },
      body: JSON.stringify({ events: [makeEvent()] }),
    })
    expect(denied.status).toBe(403)
    const project = await fetch(`${url}/v1/project`, {
      headers: { authorization: 'Bearer sk_configured_key_1' },
    })
    expect((await project.json()).allowedOrigins).toEqual(['https://support.example.com'])
  })

  it.each([
    [{ PORT: 'eighty' }, 'tightloop: PORT must be a whole number from 0 to 65535, not "eighty"'],
    [{ TIGHTLOOP_PUBLIC_KEY: 'nope' }, 'tightloop: TIGHTLOOP_PUBLIC_KEY must look like pk_'],
  ])('stops on %j with one readable line', async (env, line) => {
    const dir = tempDir()
    const started = run({ TIGHTLOOP_DATABASE: join(dir, 'tightloop.db'), ...env })
    await expect(started.url).rejects.toThrow(/exited/)
    expect(started.child.exitCode).toBe(1)
    const { stderr } = started.output()
    expect(stderr.startsWith(line)).toBe(true)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).not.toMatch(/\n\s+at /)
  })
})
