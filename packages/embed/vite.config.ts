// Builds dist/tightloop.js (one IIFE: client, widget, preact, styles) and the language packs
// dist/lang/<lang>.json that it fetches when a page is not in English.
import { defineConfig } from 'vite'
// A relative import: vite loads this config with node, which cannot run the package's TS entry.
import { LANGUAGES } from '../widget/src/languages.ts'

export default defineConfig({
  // development: false even when NODE_ENV=test (the size test), or JSX gains __source props.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact', development: false } },
  build: {
    lib: {
      entry: 'src/main.ts',
      formats: ['iife'],
      name: 'tightloopEmbed',
      fileName: () => 'tightloop.js',
    },
    minify: true,
    sourcemap: true,
  },
  plugins: [
    {
      name: 'tightloop-language-packs',
      generateBundle() {
        for (const [lang, labels] of Object.entries(LANGUAGES))
          this.emitFile({
            type: 'asset',
            fileName: `lang/${lang}.json`,
            source: JSON.stringify(labels),
          })
      },
    },
  ],
})
