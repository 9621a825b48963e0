// The demo support chat: a Preact chat UI whose bot answers are wrapped in the
// <tightloop-feedback> element, with the escalation and CSAT elements beside it. The elements
// come from the script tag (/tightloop.js), which also puts bars on the FAQ answers.
import { render } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { answerFor } from './bot.ts'
import { applyPageText, type PageText, pageText } from './page-text.ts'

interface Message {
  id: string
  from: 'user' | 'bot' | 'system'
  text: string
  prompt?: string
}

type Tightloop = ((method: string, ...args: unknown[]) => unknown) & {
  status?: { value: { queued: number; error?: string } }
}
const tightloop = (...args: unknown[]) =>
  (window as unknown as { tightloop: Tightloop }).tightloop(...(args as [string]))

const STORE_KEY = 'tightloop-demo-chat' // the chat survives a reload, like the controls' state
const BOT_DELAY_MS = 300 // the bot "types" this long
// Its text is the page language's greeting, looked up when drawn (see Chat).
const GREETING: Message = { id: 'greeting', from: 'system', text: '' }

const loadChat = (): Message[] => {
  try {
    return JSON.parse(sessionStorage.getItem(STORE_KEY) ?? 'null') ?? [GREETING]
  } catch {
    return [GREETING]
  }
}
const newId = () => `demo-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`

function Chat({ theme, text }: { theme: string; text: PageText }) {
  const [messages, setMessages] = useState<Message[]>(loadChat)
  const [draft, setDraft] = useState('')
  const [ended, setEnded] = useState(() => sessionStorage.getItem(`${STORE_KEY}:ended`) === '1')
  const logRef = useRef<HTMLDivElement>(null)
  const add = (message: Message) => setMessages((was) => [...was, message])

  useEffect(() => {
    sessionStorage.setItem(STORE_KEY, JSON.stringify(messages))
    logRef.current?.lastElementChild?.scrollIntoView({ block: 'nearest' })
  }, [messages])
  useEffect(() => {
    // The host's hand-off: the element already sent `agent_escalation`.
    const onEscalate = (e: Event) => {
      const { reason } = (e as CustomEvent<{ reason: string }>).detail
      add({
        id: newId(),
        from: 'system',
        text: text.connecting(reason.replace(/_/g, ' ')),
      })
    }
    document.addEventListener('tightloop-escalate', onEscalate)
    return () => document.removeEventListener('tightloop-escalate', onEscalate)
  }, [text])

  const send = (e: Event) => {
    e.preventDefault()
    const question = draft.trim()
    if (!question) return
    setDraft('')
    add({ id: newId(), from: 'user', text: question })
    tightloop('prompted', question)
    setTimeout(
      () => add({ id: newId(), from: 'bot', text: answerFor(question), prompt: question }),
      BOT_DELAY_MS,
    )
  }
  const end = () => {
    setEnded(true)
    sessionStorage.setItem(`${STORE_KEY}:ended`, '1')
  }
  const restart = () => {
    sessionStorage.removeItem(`${STORE_KEY}:ended`)
    setEnded(false)
    setMessages([GREETING])
  }

  const lastBot = [...messages].reverse().find((m) => m.from === 'bot')
  return (
    <>
      <div class="log" role="log" aria-label="Conversation" ref={logRef}>
        {messages.map((m) =>
          m.from === 'bot' ? (
            <div class="msg bot" key={m.id}>
              <tightloop-feedback request-id={m.id} prompt={m.prompt} theme={theme}>
                {m.text}
              </tightloop-feedback>
            </div>
          ) : (
            <p class={`msg ${m.from}`} key={m.id}>
              {m.id === GREETING.id ? text.greeting : m.text}
            </p>
          ),
        )}
      </div>
      {ended ? (
        <div class="end">
          {lastBot && (
            <tightloop-csat
              request-id={lastBot.id}
              prompt={lastBot.prompt}
              response={lastBot.text}
              theme={theme}
            />
          )}
          <button type="button" onClick={restart}>
            {text.newChat}
          </button>
        </div>
      ) : (
        <>
          <form class="composer" onSubmit={send}>
            <label for="question">{text.question}</label>
            <input
              id="question"
              autocomplete="off"
              value={draft}
              onInput={(e) => setDraft(e.currentTarget.value)}
            />
            <button type="submit">{text.send}</button>
          </form>
          {lastBot && (
            <div class="actions">
              <tightloop-escalate
                request-id={lastBot.id}
                prompt={lastBot.prompt}
                response={lastBot.text}
                theme={theme}
              />
              <button type="button" onClick={end}>
                {text.endChat}
              </button>
            </div>
          )}
        </>
      )}
    </>
  )
}

function App() {
  const [theme, setTheme] = useState(() => localStorage.getItem('tightloop-demo-theme') ?? 'light')
  const [lang, setLang] = useState(() => localStorage.getItem('tightloop-demo-lang') ?? 'en')
  const text = pageText(lang)
  useEffect(() => {
    const themeSelect = document.getElementById('theme') as HTMLSelectElement
    const langSelect = document.getElementById('lang') as HTMLSelectElement
    themeSelect.value = theme
    langSelect.value = localStorage.getItem('tightloop-demo-lang') ?? 'en'
    const applyLang = () => {
      document.documentElement.lang = langSelect.value
      localStorage.setItem('tightloop-demo-lang', langSelect.value)
      tightloop('configure', { lang: langSelect.value })
      applyPageText(document, langSelect.value)
      setLang(langSelect.value)
    }
    themeSelect.onchange = () => setTheme(themeSelect.value)
    langSelect.onchange = applyLang
    if (langSelect.value !== 'en') applyLang()
  }, [])
  useEffect(() => {
    document.body.classList.toggle('dark', theme === 'dark')
    localStorage.setItem('tightloop-demo-theme', theme)
    tightloop('configure', { theme })
  }, [theme])
  useEffect(() => {
    // The command works against this very collector, whatever host and port served the page.
    const command = document.getElementById('events-command')
    if (command) {
      command.textContent = `curl -H "Authorization: Bearer $SECRET_KEY" ${location.origin}/v1/events`
    }
  }, [])
  useEffect(() => {
    // What the client is doing, so a newcomer sees events leave.
    const status = document.getElementById('status')!
    const show = () => {
      const s = (window as unknown as { tightloop: Tightloop }).tightloop.status?.value
      if (!s) return
      status.textContent = s.error
        ? text.stopped(s.error)
        : s.queued
          ? text.waiting(s.queued)
          : text.delivered
    }
    show() // at once, so a language switch rewrites it without waiting for the next tick
    const timer = setInterval(show, 500)
    return () => clearInterval(timer)
  }, [text])
  return <Chat theme={theme} text={text} />
}

render(<App />, document.getElementById('chat')!)
