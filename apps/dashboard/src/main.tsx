// Entry of the built page: one session kept in this tab's sessionStorage, redrawn on a
// colour-scheme change.
import { signal } from '@preact/signals'
import { render } from 'preact'
import 'uplot/dist/uPlot.min.css'
import './styles.css'
import { App } from './app.tsx'
import { createSession } from './session.ts'

const session = createSession({ storage: window.sessionStorage })
const dark = window.matchMedia('(prefers-color-scheme: dark)')
const scheme = signal(dark.matches ? 'dark' : 'light')
dark.addEventListener('change', (e) => {
  scheme.value = e.matches ? 'dark' : 'light'
})

function Root() {
  return <App session={session} scheme={scheme.value} />
}

render(<Root />, document.getElementById('app')!)
