// Entry of dist/tightloop.js, the script tag: starts tightloop from the tag that loaded it.
import { install } from './install.ts'

install(document.currentScript, window)
