// The tightloop custom elements in Preact's JSX, as a host app declares them.
import type { JSX } from 'preact'

type TightloopAttributes = JSX.HTMLAttributes<HTMLElement> & {
  'request-id': string
  prompt?: string
  response?: string
  theme?: string
  agent?: boolean
}

declare module 'preact' {
  namespace JSX {
    interface IntrinsicElements {
      'tightloop-feedback': TightloopAttributes
      'tightloop-csat': TightloopAttributes
      'tightloop-escalate': TightloopAttributes
    }
  }
}
