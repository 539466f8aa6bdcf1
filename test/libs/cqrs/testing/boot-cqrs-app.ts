import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CqrsModule } from '@cello/cqrs/cqrs.module';
import type { CqrsModuleOptions } from '@cello/cqrs/cqrs-module-options';

/** Boots a small Nest app with `CqrsModule.forRoot(options)` and `providers` (for tests). */
export async function bootCqrsApp(
  options: CqrsModuleOptions,
  metadata: ModuleMetadata,
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    ...metadata,
    imports: [CqrsModule.forRoot(options), ...(metadata.imports ?? [])],
  }).compile();
  return moduleRef.createNestApplication({ logger: false }).init();
}
