// Public API of @tightloop/embed (the script tag itself is dist/tightloop.js, built from main.ts).
export {
  type AnswerWatcher,
  REQUEST_ID_ATTRIBUTE,
  type WatchOptions,
  watchAnswers,
} from './answers.ts'
export { type EmbedSettings, type InstallOptions, install, type TightloopApi } from './install.ts'
