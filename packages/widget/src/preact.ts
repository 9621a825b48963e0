// `import '@tightloop/widget/preact'` (types only): the elements type-check in Preact JSX.
import type { HTMLAttributes } from 'preact'
import type { TightloopElements } from './element-types.ts'

export type * from './element-types.ts'

type PreactElementProps<A> = Omit<HTMLAttributes<HTMLElement>, keyof A> & A

declare module 'preact' {
  namespace JSX {
    interface IntrinsicElements {
      'tightloop-feedback': PreactElementProps<TightloopElements['tightloop-feedback']>
      'tightloop-csat': PreactElementProps<TightloopElements['tightloop-csat']>
      'tightloop-escalate': PreactElementProps<TightloopElements['tightloop-escalate']>
    }
  }
}
