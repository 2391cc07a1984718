import { Injectable } from '@nestjs/common';
import type { AppConfig, Role } from './config.schema';

/**
 * The validated configuration, injected wherever a setting is read. Nothing outside
 * src/config reads process.env.
 */
@Injectable()
export class AppConfigService {
  constructor(readonly values: AppConfig) {}

  get<K extends keyof AppConfig>(key: K): AppConfig[K] {
    return this.values[key];
  }

  hasRole(role: Role): boolean {
    return this.values.roles.has(role);
  }
}
