import type { FlagConfiguration, FlagDefinition, FlagKind, Variation } from '@flagward/core';
import type { FlagRow } from './flag.repository';

export interface FlagEnvironmentState {
  on: boolean;
  version: number;
}

export interface FlagView {
  key: string;
  name: string;
  description: string;
  tags: string[];
  kind: FlagKind;
  variations: Variation[];
  archived: boolean;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  /** Only the environments the caller may access. */
  environments: Record<string, FlagEnvironmentState>;
}

export interface ConfigurationView extends FlagConfiguration {
  flag: string;
  environment: string;
  updatedAt: string;
}

/** The resource name of a flag in one environment, or in every environment with `*`. */
export function flagRn(project: string, env: string, flag: string): string {
  return `project/${project}:env/${env}:flag/${flag}`;
}

export function flagDefinitionOf(row: FlagRow): FlagDefinition {
  return {
    key: row.key,
    name: row.name,
    description: row.description,
    tags: JSON.parse(row.tags) as string[],
    kind: row.kind,
    variations: JSON.parse(row.variations) as Variation[],
    archived: row.archived === 1,
    salt: row.salt,
  };
}

/** A definition as the audit log records it: the salt never changes, so it is left out. */
export function definitionRecord(definition: FlagDefinition): Omit<FlagDefinition, 'salt'> {
  const { salt: _salt, ...rest } = definition;
  return rest;
}

export function flagView(
  definition: FlagDefinition,
  row: Pick<FlagRow, 'created_at' | 'updated_at'>,
  createdBy: string | null,
  environments: Record<string, FlagEnvironmentState>,
): FlagView {
  return {
    ...definitionRecord(definition),
    createdBy,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    environments,
  };
}

export function configurationView(
  flag: string,
  environment: string,
  configuration: FlagConfiguration,
  updatedAt: string,
): ConfigurationView {
  return { flag, environment, ...configuration, updatedAt };
}
