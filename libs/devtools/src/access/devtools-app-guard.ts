import { Inject, Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { isObservable, lastValueFrom } from 'rxjs';

/** Injection token of the app's own guard for the devtools routes (null when none). */
export const DEVTOOLS_APP_GUARD = Symbol('cello:devtools-app-guard');

/** Runs the guard given as `DevtoolsModule.forRoot({ guard })` on every devtools route. */
@Injectable()
export class DevtoolsAppGuard implements CanActivate {
  constructor(@Inject(DEVTOOLS_APP_GUARD) private readonly guard: CanActivate | null) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.guard === null) return true;
    const allowed = this.guard.canActivate(context);
    return isObservable(allowed) ? lastValueFrom(allowed) : allowed;
  }
}
