import type { Confirm } from '../../src/confirm.js';
import type { Output } from '../../src/output.js';

/** An Output that keeps what a command wrote, for assertions. */
export interface CapturedOutput extends Output {
  readonly lines: string[];
  readonly notes: string[];
  /** Standard output as one text. */
  text(): string;
}

export function captureOutput(): CapturedOutput {
  const lines: string[] = [];
  const notes: string[] = [];
  return {
    lines,
    notes,
    line: (text) => void lines.push(text),
    note: (text) => void notes.push(text),
    text: () => lines.join('\n'),
  };
}

/** A person at a terminal who answers every question with `answer`; `asked` records the questions. */
export function answering(answer: boolean): Confirm & { readonly asked: string[] } {
  const asked: string[] = [];
  const confirm = async (question: string) => {
    asked.push(question);
    return answer;
  };
  return Object.assign(confirm, { asked });
}
