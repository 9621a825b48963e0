// The controls' one stylesheet, adopted by every shadow root: no inline styles, so a strict
// CSP (no 'unsafe-inline' styles) still renders them. Themed through CSS custom properties.

/**
 * The stylesheet text. Pages theme it with `--tightloop-fg`, `-bg`, `-muted`, `-accent`,
 * `-on-accent`, `-border`, `-radius` and `-font`; `theme="dark"` (or `"auto"` under a dark
 * system preference) switches the defaults to dark ones.
 */
export const CSS = `:host{display:block;--tl-fg:var(--tightloop-fg,#1f2328);--tl-bg:var(--tightloop-bg,#fff);--tl-muted:var(--tightloop-muted,#57606a);--tl-accent:var(--tightloop-accent,#0969da);--tl-on:var(--tightloop-on-accent,#fff);--tl-border:var(--tightloop-border,#8c959f);color:var(--tl-fg);font:var(--tightloop-font,14px/1.4 system-ui,sans-serif)}
:host([theme=dark]){--tl-fg:var(--tightloop-fg,#e6edf3);--tl-bg:var(--tightloop-bg,#0d1117);--tl-muted:var(--tightloop-muted,#9198a1);--tl-accent:var(--tightloop-accent,#4493f8);--tl-on:var(--tightloop-on-accent,#0d1117);--tl-border:var(--tightloop-border,#656c76)}
@media (prefers-color-scheme:dark){:host([theme=auto]){--tl-fg:var(--tightloop-fg,#e6edf3);--tl-bg:var(--tightloop-bg,#0d1117);--tl-muted:var(--tightloop-muted,#9198a1);--tl-accent:var(--tightloop-accent,#4493f8);--tl-on:var(--tightloop-on-accent,#0d1117);--tl-border:var(--tightloop-border,#656c76)}}
[hidden]{display:none!important}
.tl{background:var(--tl-bg);border-radius:var(--tightloop-radius,6px);padding:4px}
.bar,.row{display:flex;flex-wrap:wrap;gap:6px;align-items:center}
.panel{display:flex;flex-direction:column;gap:6px;margin-top:6px}
.answer{white-space:pre-wrap}
.note{color:var(--tl-muted);font-size:.9em;margin:0}
p{margin:0}
fieldset{border:0;padding:0;margin:6px 0 0;min-width:0}
legend{padding:0;margin-bottom:6px}
button,textarea,select{font:inherit;color:var(--tl-fg);background:var(--tl-bg);border:1px solid var(--tl-border);border-radius:var(--tightloop-radius,6px)}
button{display:inline-flex;align-items:center;gap:4px;padding:4px 8px;cursor:pointer;min-height:28px;min-width:28px}
button[aria-pressed=true],.primary{background:var(--tl-accent);border-color:var(--tl-accent);color:var(--tl-on)}
textarea,select{padding:6px;width:100%;box-sizing:border-box}
textarea{min-height:4em;resize:vertical}
:focus-visible{outline:2px solid var(--tl-accent);outline-offset:2px}
svg{width:16px;height:16px;fill:currentColor}
.down svg{transform:rotate(180deg)}
`

let shared: CSSStyleSheet | undefined

/**
 * Gives a shadow root the stylesheet: one constructable sheet shared by every control, or,
 * where constructable sheets are missing, a `<style>` element carrying `nonce`.
 *
 * @example adoptStyles(this.attachShadow({ mode: 'open' }))
 */
export function adoptStyles(root: ShadowRoot, nonce?: string): void {
  try {
    if (!shared) {
      shared = new CSSStyleSheet()
      shared.replaceSync(CSS)
    }
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, shared]
  } catch {
    const style = document.createElement('style')
    if (nonce) style.nonce = nonce
    style.textContent = CSS
    root.prepend(style)
  }
}
