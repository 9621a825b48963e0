// The controls' one stylesheet, adopted by every shadow root: no inline styles, so a strict
// CSP (no 'unsafe-inline' styles) still renders them. Themed through CSS custom properties.

/**
 * The stylesheet text. Pages theme it with `--tightloop-fg`, `-bg`, `-muted`, `-accent`,
 * `-on-accent`, `-border`, `-radius` and `-font`; `theme="dark"` (or `"auto"` under a dark
 * system preference) switches the defaults to dark ones.
 *
 * @example tightloop-feedback { --tightloop-accent: #8250df; --tightloop-radius: 0 }  (page CSS)
 */
export const CSS = `:host{display:block;--tl-f:var(--tightloop-fg,#1f2328);--tl-b:var(--tightloop-bg,#fff);--tl-m:var(--tightloop-muted,#57606a);--tl-a:var(--tightloop-accent,#0969da);--tl-o:var(--tightloop-on-accent,#fff);--tl-l:var(--tightloop-border,#8c959f);color:var(--tl-f);font:var(--tightloop-font,14px/1.4 system-ui,sans-serif)}
:host([theme=dark]){--tl-f:var(--tightloop-fg,#e6edf3);--tl-b:var(--tightloop-bg,#0d1117);--tl-m:var(--tightloop-muted,#9198a1);--tl-a:var(--tightloop-accent,#4493f8);--tl-o:var(--tightloop-on-accent,#0d1117);--tl-l:var(--tightloop-border,#656c76)}
@media (prefers-color-scheme:dark){:host([theme=auto]){--tl-f:var(--tightloop-fg,#e6edf3);--tl-b:var(--tightloop-bg,#0d1117);--tl-m:var(--tightloop-muted,#9198a1);--tl-a:var(--tightloop-accent,#4493f8);--tl-o:var(--tightloop-on-accent,#0d1117);--tl-l:var(--tightloop-border,#656c76)}}
[hidden]{display:none!important}
.tl{background:var(--tl-b);border-radius:var(--tightloop-radius,6px);padding:4px}
.bar,.row{display:flex;flex-wrap:wrap;gap:6px;align-items:center}
.panel{display:flex;flex-direction:column;gap:6px;margin-top:6px}
.answer{white-space:pre-wrap}
.note{color:var(--tl-m);font-size:.9em}
p,fieldset{margin:0;padding:0;border:0;min-width:0}
legend{padding:0 0 6px}
button,textarea,select{font:inherit;color:var(--tl-f);background:var(--tl-b);border:1px solid var(--tl-l);border-radius:var(--tightloop-radius,6px)}
button{display:inline-flex;align-items:center;padding:4px 8px;cursor:pointer;min-height:28px}
[aria-pressed=true],.primary{background:var(--tl-a);border-color:var(--tl-a);color:var(--tl-o)}
textarea,select{padding:6px;width:100%;box-sizing:border-box}
textarea{min-height:4em;resize:vertical}
:focus-visible{outline:2px solid var(--tl-a);outline-offset:2px}
svg{width:16px;height:16px;fill:currentColor}
.down svg{transform:rotate(180deg)}`

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
