// Builds @tightloop/widget as an ES module for bundlers; preact and the client stay external.
import { defineConfig } from 'vite'

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact', development: false } },
  build: {
    lib: { entry: 'src/index.ts', formats: ['es'], fileName: 'index' },
    minify: false,
    sourcemap: true,
    rolldownOptions: { external: [/^preact/, /^@preact\//, /^@tightloop\//] },
  },
})
