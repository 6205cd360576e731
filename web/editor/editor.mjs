// The playground's editor: CodeMirror 6 with the languages Runner ships, behind a small API
// (window.RunnerEditor.create) so the page's own script stays plain JavaScript without a build.
import { basicSetup } from "codemirror";
import { EditorView, keymap } from "@codemirror/view";
import { EditorState, Compartment } from "@codemirror/state";
import { indentWithTab } from "@codemirror/commands";
import { StreamLanguage, HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { tags as t } from "@lezer/highlight";
import { python } from "@codemirror/lang-python";
import { cpp } from "@codemirror/lang-cpp";
import { java } from "@codemirror/lang-java";
import { javascript } from "@codemirror/lang-javascript";
import { perl } from "@codemirror/legacy-modes/mode/perl";
import { shell } from "@codemirror/legacy-modes/mode/shell";
import { fortran } from "@codemirror/legacy-modes/mode/fortran";

// Keyed by Runner's language ids (languages.json); an operator's own language gets no highlighting.
const modes = {
  c: () => cpp(),
  cpp: () => cpp(),
  python: () => python(),
  java: () => java(),
  javascript: () => javascript(),
  perl: () => StreamLanguage.define(perl),
  bash: () => StreamLanguage.define(shell),
  fortran: () => StreamLanguage.define(fortran),
};

// Sizing and fonts; style-mod installs them, like CodeMirror's own styles, in the shadow root below.
const look = EditorView.theme({
  "&": { height: "24rem", fontSize: "0.95rem", backgroundColor: "#fff" },
  "&.cm-focused": { outline: "3px solid #0a5bd3", outlineOffset: "-3px" },
  ".cm-scroller": { fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace' },
});

// CodeMirror's default colours include some below WCAG AA on white (#e40, 3.8:1, for f-strings
// and regexps); these are all at least 4.5:1 on the editor's background and its active line.
const colours = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.moduleKeyword, t.operatorKeyword], color: "#7a1fa2" },
  { tag: [t.string, t.character], color: "#a31515" },
  { tag: [t.special(t.string), t.regexp, t.escape], color: "#8a3500" },
  { tag: [t.number, t.bool, t.null, t.atom], color: "#116644" },
  { tag: [t.comment, t.lineComment, t.blockComment], color: "#5a636e", fontStyle: "italic" },
  { tag: [t.typeName, t.className, t.namespace, t.standard(t.typeName)], color: "#0b5a9c" },
  { tag: [t.definition(t.variableName), t.function(t.definition(t.variableName))], color: "#00458a" },
  { tag: [t.function(t.variableName), t.function(t.propertyName)], color: "#5b2fa6" },
  { tag: [t.processingInstruction, t.meta, t.macroName], color: "#6a4a00" },
  { tag: [t.propertyName, t.attributeName], color: "#0b4f79" },
  { tag: t.invalid, color: "#b00020" },
]);

export function create(parent, { doc = "", language = "", label = "Source code" } = {}) {
  const mode = new Compartment();
  // In a shadow root, style-mod adopts constructed style sheets instead of adding <style>
  // elements, so the page's Content-Security-Policy needs no 'unsafe-inline' for styles.
  const root = parent.attachShadow({ mode: "open" });
  const view = new EditorView({
    parent: root,
    root,
    state: EditorState.create({
      doc,
      extensions: [
        basicSetup,
        look,
        syntaxHighlighting(colours),
        // Tab indents; Escape then Tab leaves the editor (CodeMirror's documented escape hatch).
        keymap.of([indentWithTab]),
        mode.of(modes[language]?.() ?? []),
        EditorView.contentAttributes.of({ "aria-label": label }),
      ],
    }),
  });
  return {
    view,
    get value() { return view.state.doc.toString(); },
    set value(text) { view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }); },
    setLanguage(id) { view.dispatch({ effects: mode.reconfigure(modes[id]?.() ?? []) }); },
    focus() { view.focus(); },
  };
}
