/**
 * `portent completion`: a bash completion script (also read by zsh's
 * bashcompinit) built from the command tree, so it never falls behind:
 *   source <(portent completion)
 */
import type { Command } from 'commander';

function words(cmd: Command): string[] {
  return [...cmd.commands.map((c) => c.name()), ...cmd.options.map((o) => o.long ?? '').filter((o) => o !== '')];
}

export function bashCompletion(program: Command): string {
  const cases = program.commands.map((c) => `    ${c.name()}) words="${words(c).join(' ')}" ;;`).join('\n');
  return `# portent shell completion (bash; zsh with bashcompinit)
_portent() {
  local cur=\${COMP_WORDS[COMP_CWORD]} words
  case "\${COMP_WORDS[1]}" in
${cases}
    *) words="${words(program).join(' ')}" ;;
  esac
  [ "$COMP_CWORD" -eq 1 ] && words="${words(program).join(' ')}"
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _portent portent
`;
}
