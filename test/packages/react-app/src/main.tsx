// The README's React example, built from the packed packages: one bot answer with its bar.
import { createClient } from '@tightloop/client'
import { createWidget, defineElements } from '@tightloop/widget'
import '@tightloop/widget/react'
import { createRoot } from 'react-dom/client'
import { config } from './config.ts'

const client = createClient({ endpoint: config.endpoint, key: config.key })
defineElements(createWidget({ client, endpoint: config.endpoint, key: config.key }))
Object.assign(window, { tightloopClient: client })

function Answer({ id, prompt, text }: { id: string; prompt: string; text: string }) {
  return (
    <tightloop-feedback request-id={id} prompt={prompt}>
      <p>{text}</p>
    </tightloop-feedback>
  )
}

createRoot(document.getElementById('root')!).render(
  <Answer id="req_react_1" prompt="How do I reset my PIN?" text="Open Settings, then Security." />,
)
