import { CanActivate, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { DEVTOOLS_OPTIONS, devtoolsEnabled } from '../devtools-module-options';
import type { DevtoolsModuleOptions } from '../devtools-module-options';

/** Answers 404 for every developer page when they are off (unless the app opts in). */
@Injectable()
export class DevtoolsEnabledGuard implements CanActivate {
  private readonly enabled: boolean;

  constructor(@Inject(DEVTOOLS_OPTIONS) options: DevtoolsModuleOptions) {
    this.enabled = devtoolsEnabled(options);
  }

  canActivate(): boolean {
    if (!this.enabled) throw new NotFoundException();
    return true;
  }
}
