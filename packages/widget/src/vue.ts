// `import '@tightloop/widget/vue'` (types only): the elements type-check in Vue templates
// (vue-tsc / Volar read `GlobalComponents`). Tell Vue's compiler they are custom elements:
// `compilerOptions.isCustomElement: (tag) => tag.startsWith('tightloop-')`.
import type { DefineComponent } from 'vue'
import type { TightloopElements } from './element-types.ts'

export type * from './element-types.ts'

declare module 'vue' {
  interface GlobalComponents {
    'tightloop-feedback': DefineComponent<TightloopElements['tightloop-feedback']>
    'tightloop-csat': DefineComponent<TightloopElements['tightloop-csat']>
    'tightloop-escalate': DefineComponent<TightloopElements['tightloop-escalate']>
  }
}
