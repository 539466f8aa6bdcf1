// Typed access to the provisioning scripts (scripts/*.js, CommonJS), for the
// tests of the harness itself.
import { join } from 'node:path';

const scripts = join(__dirname, '..', '..', 'scripts');

export type StatusReport = (service: string, message: string) => void;

export interface AptDecision {
  install: boolean;
  reason: string;
}

export interface EmbeddedPlace {
  dir: string;
  port: number;
  osUser?: string;
}

/* eslint-disable @typescript-eslint/no-require-imports */
export const { aptInstallDecision, installsForbidden, withLock } = require(
  join(scripts, 'provision-support'),
) as {
  aptInstallDecision(facts: { root: boolean; hasApt: boolean; forbidden: boolean }): AptDecision;
  installsForbidden(env: Record<string, string | undefined>): boolean;
  withLock<T>(name: string, work: () => Promise<T>): Promise<T>;
};

export const { findPostgres } = require(join(scripts, 'ensure-postgres')) as {
  findPostgres(options: {
    local?: boolean;
    embedded?: EmbeddedPlace;
    status?: StatusReport;
  }): Promise<{ url: string; embedded: boolean }>;
};

export const { stopEmbeddedPostgres } = require(join(scripts, 'embedded-postgres')) as {
  stopEmbeddedPostgres(place: { dir: string }): boolean;
};

export const { ensureMysql } = require(join(scripts, 'ensure-mysql')) as {
  ensureMysql(options: {
    url?: string;
    installed?: boolean;
    decision?: AptDecision;
    install?: () => Promise<void>;
    status?: StatusReport;
  }): Promise<string>;
};

export const { ensureChromium } = require(join(scripts, 'ensure-chromium')) as {
  ensureChromium(options: {
    systemPath?: string;
    packagedDir?: string;
    decision?: AptDecision;
    install?: () => Promise<void>;
    status?: StatusReport;
  }): Promise<string>;
};
export const { ensureNats, natsInfo, stopNats } = require(join(scripts, 'ensure-nats')) as {
  ensureNats(options: {
    dir?: string;
    decision?: AptDecision;
    install?: () => Promise<void>;
    status?: StatusReport;
  }): Promise<string>;
  natsInfo(url: string): Promise<{ version: string; jetstream?: boolean } | null>;
  stopNats(options: { dir: string }): boolean;
};
/* eslint-enable @typescript-eslint/no-require-imports */
