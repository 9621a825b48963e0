// Watching: a Preact class component that re-renders when the signals it reads change. The
// widget avoids preact/hooks and @preact/signals' Preact integration: together they would
// cost 1.7 KB gzip of the script tag's 16 KB.
import type { ReadonlySignal } from '@preact/signals-core'
import { Component } from 'preact'

/** Base of the controls: `_watch()` names the signals `render()` reads. */
export abstract class Watching<P, S = object> extends Component<P, S> {
  _watched: ReadonlySignal<unknown>[] = []
  _stops: (() => void)[] = []

  /** The signals this render depends on (they may change with the props). */
  abstract _watch(): ReadonlySignal<unknown>[]

  _sync() {
    const next = this._watch()
    if (next.length === this._watched.length && next.every((s, i) => s === this._watched[i])) return
    this._stop()
    this._watched = next
    this._stops = next.map((source) => {
      let first = true
      // subscribe() calls back at once with the current value; only later calls are changes.
      return source.subscribe(() => {
        if (first) first = false
        else this.forceUpdate()
      })
    })
  }
  _stop() {
    for (const stop of this._stops) stop()
  }
  override componentDidMount() {
    this._sync()
  }
  override componentDidUpdate() {
    this._sync()
  }
  override componentWillUnmount() {
    this._stop()
  }
}
