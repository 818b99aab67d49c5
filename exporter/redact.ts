// Secrets out of everything the exporter writes that a router's own text flows into: the
// diagnostics bundle (UCI files, the system log), and the first stderr line of a failing command
// (logs and /status). By option name, and by value pattern wherever a secret sits in free text
// (`pppd_options '... password X'`, pppd's `PAP AuthReq ... password="X"`, snmpd's community).

/** UCI option names whose values are secrets. */
const SECRET_OPTION = /(pass|key|secret|token|psk|auth|private|hash|credential|community|pincode|^pin$)/i;

/** A secret named in free text, and its value: `password X`, `password=X`, `password="X"`, `passwd: X`. */
const SECRET_IN_TEXT =
  /\b(pass(?:word|wd|phrase)?|secret|community|psk|token|api[_-]?key|pin(?:code)?)(\s*[=:]\s*|\s+)("[^"]*"|'[^'\s]*'|[^\s'",;\]]+)/gi;

/** Replaces every secret value in free text (a log line, an error message, a UCI value). */
export function redactText(text: string): string {
  return text.replace(SECRET_IN_TEXT, (_all, name: string, sep: string, value: string) => {
    const quote = value.startsWith('"') ? '"' : value.startsWith("'") ? "'" : '';
    return `${name}${sep}${quote}REDACTED${quote}`;
  });
}

/** Whether a UCI value that starts on this line ends on it (its single quotes balance). */
function closesOnLine(value: string): boolean {
  return (value.replace(/'\\''/g, '').match(/'/g)?.length ?? 0) % 2 === 0;
}

/** Redacts a UCI file or `uci show` text: secret options whole (continuation lines too), and secrets inside other values. */
export function redactUci(text: string): string {
  const out: string[] = [];
  let skippingValue = false;
  for (const line of text.split('\n')) {
    if (skippingValue) {
      // A multi-line secret value: its lines are dropped until the closing quote.
      if (!closesOnLine(line)) skippingValue = false;
      continue;
    }
    const file = /^(\s*(?:option|list)\s+)(\S+)(\s+)(.*)$/.exec(line);
    if (file && SECRET_OPTION.test(file[2]!)) {
      out.push(`${file[1]}${file[2]}${file[3]}'REDACTED'`);
      skippingValue = !closesOnLine(file[4]!);
      continue;
    }
    const show = /^([^=\s]+\.([^.=\s]+))=(.*)$/.exec(line);
    if (show && SECRET_OPTION.test(show[2]!)) {
      out.push(`${show[1]}='REDACTED'`);
      skippingValue = !closesOnLine(show[3]!);
      continue;
    }
    out.push(redactText(line));
  }
  return out.join('\n');
}
