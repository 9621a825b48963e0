// `import '@tightloop/widget/react'` (types only): `<tightloop-feedback request-id="…">` and its
// siblings type-check in React 19 JSX. React 19 sets a prop the element has as a property
// (`onEscalate`) and the rest as attributes, so no wrapper component is needed; call
// `defineElements` before the first render so React sees the elements' properties.
import type { DetailedHTMLProps, HTMLAttributes } from 'react'
import type { TightloopElements } from './element-types.ts'

export type * from './element-types.ts'

type ReactElementProps<A> = Omit<
  DetailedHTMLProps<HTMLAttributes<HTMLElement>, HTMLElement>,
  keyof A
> &
  A

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'tightloop-feedback': ReactElementProps<TightloopElements['tightloop-feedback']>
      'tightloop-csat': ReactElementProps<TightloopElements['tightloop-csat']>
      'tightloop-escalate': ReactElementProps<TightloopElements['tightloop-escalate']>
    }
  }
}
