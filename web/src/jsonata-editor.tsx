import { useRef } from 'preact/hooks';

/* A JSONata editor: a plain textarea over a highlighted copy of its text (no editor library to ship or update). */

type TokenKind = 'comment' | 'string' | 'number' | 'variable' | 'keyword' | 'name' | 'operator' | 'space' | 'text';

const tokenPatterns: Array<[TokenKind, RegExp]> = [
  ['comment', /^\/\*[\s\S]*?(\*\/|$)/],
  ['string', /^"(?:[^"\\]|\\[\s\S])*("|$)|^'(?:[^'\\]|\\[\s\S])*('|$)/],
  ['name', /^`[^`]*(`|$)/],
  ['number', /^-?\d+(\.\d+)?([eE][+-]?\d+)?/],
  ['variable', /^\$\$?[A-Za-z0-9_]*/],
  ['keyword', /^(and|or|in|true|false|null|function)\b/],
  ['operator', /^(:=|!=|<=|>=|~>|\?:|\?\?|\.\.|[-+*/%&|=<>!?:;,.()[\]{}^#@~])/],
  ['space', /^\s+/],
  ['text', /^[A-Za-z_][A-Za-z0-9_]*/],
];

/** Splits JSONata source into highlighted tokens; anything unknown is one character of text. */
export function tokenize(source: string): Array<{ kind: TokenKind; text: string }> {
  const tokens: Array<{ kind: TokenKind; text: string }> = [];
  let rest = source;
  while (rest.length > 0) {
    let matched = false;
    for (const [kind, pattern] of tokenPatterns) {
      const found = pattern.exec(rest);
      if (found && found[0].length > 0) {
        tokens.push({ kind, text: found[0] });
        rest = rest.slice(found[0].length);
        matched = true;
        break;
      }
    }
    if (!matched) {
      tokens.push({ kind: 'text', text: rest[0] });
      rest = rest.slice(1);
    }
  }
  return tokens;
}

/** Moves the caret of the editor to a 1-based line and column, and focuses it. */
export function goTo(textarea: HTMLTextAreaElement | null, line: number, column: number): void {
  if (!textarea) return;
  const lines = textarea.value.split('\n');
  let offset = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
  offset += Math.max(0, column - 1);
  textarea.focus();
  textarea.setSelectionRange(offset, offset);
}

export function JsonataEditor({
  id,
  value,
  onInput,
  editorRef,
}: {
  id: string;
  value: string;
  onInput: (value: string) => void;
  editorRef?: { current: HTMLTextAreaElement | null };
}) {
  const highlight = useRef<HTMLPreElement>(null);
  const sync = (event: Event) => {
    const area = event.currentTarget as HTMLTextAreaElement;
    if (highlight.current) {
      highlight.current.scrollTop = area.scrollTop;
      highlight.current.scrollLeft = area.scrollLeft;
    }
  };
  return (
    <div class="editor">
      <pre class="editor-highlight" aria-hidden="true" ref={highlight}>
        {tokenize(value).map((token, i) =>
          token.kind === 'space' || token.kind === 'text' ? (
            token.text
          ) : (
            <span key={i} class={`tok-${token.kind}`}>
              {token.text}
            </span>
          ),
        )}
        {'\n'}
      </pre>
      <textarea
        id={id}
        ref={editorRef}
        class="editor-input"
        spellcheck={false}
        autocomplete="off"
        value={value}
        onInput={(e) => {
          onInput(e.currentTarget.value);
          sync(e);
        }}
        onScroll={sync}
      />
    </div>
  );
}
