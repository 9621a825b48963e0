// Entry of dist/tightloop.js, the script tag: starts tightloop from the tag that loaded it.
import { install } from './install.ts'

// currentScript is null when a tag manager or a module loader injected the script.
install(
  document.currentScript ?? document.querySelector('script[data-key][src*="tightloop"]'),
  window,
)
