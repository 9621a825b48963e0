// Builds the demo page into dist/, served by the collector at /demo/ (it loads /tightloop.js).
import { defineConfig } from 'vite'

export default defineConfig({
  base: '/demo/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact', development: false } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
})
