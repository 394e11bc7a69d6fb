/** One instruction of a Dockerfile, continuation lines joined. */
export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, ... */
  readonly keyword: string;
  /** Everything after the keyword, trimmed. */
  readonly args: string;
  readonly line: number;
}

/** A build stage: `FROM <base> [AS <name>]` and the instructions up to the next FROM. */
export interface Stage {
  readonly name: string | undefined;
  /** The image or stage it starts from, global ARGs substituted. */
  readonly base: string;
  readonly instructions: readonly Instruction[];
}

export interface Dockerfile {
  /** Global ARGs (before the first FROM) with their defaults. */
  readonly args: Readonly<Record<string, string | undefined>>;
  readonly stages: readonly Stage[];
}

/** Splits a Dockerfile into instructions and stages; enough for checks, not a full parser. */
export function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    if (pending === '' && (line.trim() === '' || line.trimStart().startsWith('#'))) return;
    if (pending !== '' && line.trimStart().startsWith('#')) return;
    if (pending === '') start = index + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const whole = (pending + line).trim();
    pending = '';
    const keyword = whole.split(/\s+/, 1)[0] ?? '';
    instructions.push({ keyword: keyword.toUpperCase(), args: whole.slice(keyword.length).trim(), line: start });
  });

  const args: Record<string, string | undefined> = {};
  const stages: { name: string | undefined; base: string; instructions: Instruction[] }[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--'));
      const base = (words[0] ?? '').replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a?: string, b?: string) => {
        return args[(a ?? b)!] ?? '';
      });
      const name = words[1]?.toUpperCase() === 'AS' ? words[2] : undefined;
      stages.push({ name, base, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword === 'ARG') {
        const [name = '', value] = instruction.args.split('=', 2);
        args[name] = value;
      }
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { args, stages };
}

/** The stage named `name`, followed by the stages it is built on, nearest first. */
export function stageChain(dockerfile: Dockerfile, name: string): Stage[] {
  const chain: Stage[] = [];
  let stage = dockerfile.stages.find((s) => s.name === name);
  while (stage && !chain.includes(stage)) {
    chain.push(stage);
    const base = stage.base;
    stage = dockerfile.stages.find((s) => s.name === base);
  }
  return chain;
}

/** The instruction `keyword` in effect at the end of stage `name` (inherited from its bases). */
export function effective(dockerfile: Dockerfile, name: string, keyword: string): Instruction | undefined {
  for (const stage of stageChain(dockerfile, name)) {
    const found = stage.instructions.filter((i) => i.keyword === keyword).at(-1);
    if (found) return found;
  }
  return undefined;
}

/** Every instruction `keyword` of stage `name` and its bases, nearest last. */
export function inherited(dockerfile: Dockerfile, name: string, keyword: string): Instruction[] {
  return stageChain(dockerfile, name)
    .reverse()
    .flatMap((stage) => stage.instructions.filter((i) => i.keyword === keyword));
}

/** `KEY=value` pairs of ENV or LABEL arguments (quoted values unquoted). */
export function keyValues(args: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const match of args.matchAll(/([\w.-]+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    const value = match[2]!;
    pairs[match[1]!] = value.startsWith('"') ? (JSON.parse(value) as string) : value;
  }
  return pairs;
}

/** Options (`--from=build`) and paths of a COPY instruction; the last path is the target. */
export function copyParts(args: string): { options: Record<string, string>; paths: string[] } {
  const options: Record<string, string> = {};
  const paths: string[] = [];
  for (const word of args.split(/\s+/)) {
    const option = /^--([\w-]+)(?:=(.*))?$/.exec(word);
    if (option) options[option[1]!] = option[2] ?? 'true';
    else paths.push(word);
  }
  return { options, paths };
}
