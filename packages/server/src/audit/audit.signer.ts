import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Checkpoint, generateSignerKey, signCheckpoint, vkeyFromSkey } from '@flagward/core';

/** The key name in every checkpoint signature line and in the published verifier key. */
export const AUDIT_KEY_NAME = 'flagward';

/** The checkpoint origin of an organization's log: it names the log a checkpoint is about. */
export function auditOrigin(orgKey: string): string {
  return `flagward/${orgKey}`;
}

/**
 * Signs audit checkpoints with the installation's Ed25519 key (a C2SP signer key in a file outside the
 * database, FLAGWARD_AUDIT_KEY_FILE). Several processes sharing one database must share the file.
 */
export class AuditSigner {
  /** The published verifier key (C2SP vkey). */
  readonly vkey: string;

  private constructor(private readonly skey: string) {
    this.vkey = vkeyFromSkey(skey);
  }

  /**
   * Loads the key file, creating it on first start (mode 0600). Creation is atomic (written aside,
   * then linked into place), so processes starting together end up with one key.
   */
  static fromKeyFile(file: string, name = AUDIT_KEY_NAME): AuditSigner {
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      fs.writeFileSync(aside, `${generateSignerKey(name)}\n`, { mode: 0o600, flag: 'wx' });
      try {
        fs.linkSync(aside, file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        fs.rmSync(aside, { force: true });
      }
    }
    const skey = fs.readFileSync(file, 'utf8').trim();
    try {
      return new AuditSigner(skey);
    } catch (error) {
      throw new Error(`${file} does not hold a C2SP Ed25519 signer key (PRIVATE+KEY+…)`, { cause: error });
    }
  }

  /** A signer for a key held in memory (tests, benchmarks). */
  static fromSignerKey(skey: string): AuditSigner {
    return new AuditSigner(skey);
  }

  /** The signed note of a checkpoint. */
  sign(checkpoint: Checkpoint): string {
    return signCheckpoint(checkpoint, this.skey);
  }
}
