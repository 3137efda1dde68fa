import { randomUUID } from 'node:crypto';
import type { EnvironmentRow } from '../projects/project.repository';
import type { SecretBox } from '../security/secret-box';
import { hashSecret, newSecret } from '../security/secrets';

export const SERVER_KEY_PREFIX = 'fw_srv_';

/** A fresh server-side SDK key: encrypted for reading back, hashed for lookup. */
export function newServerKey(secretBox: SecretBox): { key: string; encrypted: string; hash: string } {
  const key = newSecret(SERVER_KEY_PREFIX);
  return { key, encrypted: secretBox.seal(key), hash: hashSecret(key) };
}

export function newClientId(): string {
  return newSecret('fw_cli_', 12);
}

/** The row of a new environment with its own SDK credentials. */
export function newEnvironmentRow(
  secretBox: SecretBox,
  input: {
    projectId: string;
    key: string;
    name: string;
    production: boolean;
    tags: string[];
    position: number;
    now: string;
  },
): EnvironmentRow {
  const serverKey = newServerKey(secretBox);
  return {
    id: randomUUID(),
    project_id: input.projectId,
    key: input.key,
    name: input.name,
    production: input.production ? 1 : 0,
    tags: JSON.stringify(input.tags),
    server_key_encrypted: serverKey.encrypted,
    server_key_hash: serverKey.hash,
    client_id: newClientId(),
    position: input.position,
    created_at: input.now,
  };
}
