/**
 * Remembers the values that decryption revealed, so that an error message from a later step
 * (kustomize quotes the YAML it failed on) can be scrubbed before it reaches a status or a log.
 * A revealed value is a token of the plaintext that the encrypted file does not contain.
 */
export class SecretRedactor {
  private readonly secrets = new Set<string>();

  remember(encrypted: Uint8Array, plaintext: Uint8Array): void {
    const sealed = Buffer.from(encrypted).toString('utf8');
    const text = Buffer.from(plaintext).toString('utf8');
    for (const line of text.split('\n')) {
      const trimmed = line.trim();
      if (trimmed.length >= 4 && !sealed.includes(trimmed)) this.secrets.add(trimmed);
      for (const token of line.split(/[\s"':=,{}[\]]+/)) {
        if (token.length >= 4 && !sealed.includes(token)) this.secrets.add(token);
      }
    }
  }

  /** The message with every revealed value replaced; longest first so no fragment survives. */
  redact(message: string): string {
    let result = message;
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (result.includes(secret)) result = result.split(secret).join('<redacted>');
    }
    return result;
  }
}
