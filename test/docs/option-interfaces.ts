// Reads the fields of the libraries' public option interfaces, with their JSDoc, through the
// TypeScript compiler API (inherited fields included), for the documented-options test.
import * as path from 'node:path';
import * as ts from 'typescript';

/** A public option interface and the README whose options table documents it. */
export interface OptionInterface {
  /** The interface's name, as exported. */
  readonly name: string;
  /** Its source file, relative to the repository root. */
  readonly file: string;
  /** The README holding its `<!-- options: Name -->` table, relative to the repository root. */
  readonly readme: string;
}

/** One field of an option interface. */
export interface OptionField {
  readonly name: string;
  readonly doc: string;
  readonly optional: boolean;
}

/**
 * The option interfaces a user passes: module options, storage options, decorator options and
 * call options. The libraries without a README of their own (core, devtools) are documented in
 * README.md until they have one.
 */
export const OPTION_INTERFACES: readonly OptionInterface[] = [
  {
    name: 'RelayModuleOptions',
    file: 'libs/relay/src/publisher/relay-module-options.ts',
    readme: 'libs/relay/README.md',
  },
  {
    name: 'RelayConsumerModuleOptions',
    file: 'libs/relay/src/consumer/relay-consumer-module-options.ts',
    readme: 'libs/relay/README.md',
  },
  {
    name: 'EventSourcingModuleOptions',
    file: 'libs/event-sourcing/src/event-sourcing-module-options.ts',
    readme: 'libs/event-sourcing/README.md',
  },
  {
    name: 'SubscriptionOptions',
    file: 'libs/event-sourcing/src/event-sourcing-module-options.ts',
    readme: 'libs/event-sourcing/README.md',
  },
  {
    name: 'EventSubscriberOptions',
    file: 'libs/event-sourcing/src/decorators/event-subscriber.decorator.ts',
    readme: 'libs/event-sourcing/README.md',
  },
  {
    name: 'AggregateRootOptions',
    file: 'libs/event-sourcing/src/decorators/aggregate-root.decorator.ts',
    readme: 'libs/event-sourcing/README.md',
  },
  {
    name: 'EventTypeOptions',
    file: 'libs/event-sourcing/src/decorators/event-type.decorator.ts',
    readme: 'libs/event-sourcing/README.md',
  },
  {
    name: 'UpcasterOptions',
    file: 'libs/event-sourcing/src/upcasting/upcaster.decorator.ts',
    readme: 'libs/event-sourcing/README.md',
  },
  {
    name: 'PostgresEventStorageOptions',
    file: 'libs/event-sourcing/src/store/postgres/postgres-event-storage-options.ts',
    readme: 'libs/event-sourcing/README.md',
  },
  {
    name: 'MysqlEventStorageOptions',
    file: 'libs/event-sourcing/src/store/mysql/mysql-event-storage-options.ts',
    readme: 'libs/event-sourcing/README.md',
  },
  {
    name: 'MemoryEventStorageOptions',
    file: 'libs/event-sourcing/src/store/memory/memory-event-storage.ts',
    readme: 'libs/event-sourcing/README.md',
  },
  {
    name: 'CqrsModuleOptions',
    file: 'libs/cqrs/src/cqrs-module-options.ts',
    readme: 'libs/cqrs/README.md',
  },
  {
    name: 'CompatCqrsModuleOptions',
    file: 'libs/cqrs/src/compat/cqrs-compat-module-options.ts',
    readme: 'README.md',
  },
  {
    name: 'MessageRouteConfig',
    file: 'libs/cqrs/src/cqrs-module-options.ts',
    readme: 'libs/cqrs/README.md',
  },
  {
    name: 'HandlerDecoratorOptions',
    file: 'libs/cqrs/src/decorators/handler-decorator.ts',
    readme: 'libs/cqrs/README.md',
  },
  {
    name: 'QueryDispatchOptions',
    file: 'libs/cqrs/src/bus/dispatch-options.ts',
    readme: 'libs/cqrs/README.md',
  },
  {
    name: 'TypeOrmTransactionOptions',
    file: 'libs/cqrs/src/middleware/typeorm-transaction.middleware.ts',
    readme: 'libs/cqrs/README.md',
  },
  {
    name: 'SagaModuleOptions',
    file: 'libs/saga/src/saga-module-options.ts',
    readme: 'libs/saga/README.md',
  },
  {
    name: 'SagaOptions',
    file: 'libs/saga/src/decorators/saga.decorator.ts',
    readme: 'libs/saga/README.md',
  },
  {
    name: 'SagaStepDecoratorOptions',
    file: 'libs/saga/src/decorators/saga-step.decorator.ts',
    readme: 'libs/saga/README.md',
  },
  {
    name: 'SagaStartOptions',
    file: 'libs/saga/src/runner/saga-start-options.ts',
    readme: 'libs/saga/README.md',
  },
  {
    name: 'CelloMetricsOptions',
    file: 'libs/core/src/metrics/cello-metrics-options.ts',
    readme: 'README.md',
  },
  {
    name: 'DevtoolsModuleOptions',
    file: 'libs/devtools/src/devtools-module-options.ts',
    readme: 'README.md',
  },
];

/** The fields of each interface of `interfaces`, keyed by interface name. */
export function readOptionFields(
  repoRoot: string,
  interfaces: readonly OptionInterface[],
): Map<string, OptionField[]> {
  const files = [...new Set(interfaces.map((i) => path.join(repoRoot, i.file)))];
  const program = ts.createProgram(files, {
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    experimentalDecorators: true,
    baseUrl: repoRoot,
    paths: { '@cello/*': ['libs/*/src'] },
  });
  const checker = program.getTypeChecker();
  const result = new Map<string, OptionField[]>();
  for (const option of interfaces) {
    const source = program.getSourceFile(path.join(repoRoot, option.file));
    const declaration = source?.statements.find(
      (s): s is ts.InterfaceDeclaration =>
        ts.isInterfaceDeclaration(s) && s.name.text === option.name,
    );
    if (!declaration) throw new Error(`${option.file} declares no interface ${option.name}`);
    const type = checker.getTypeAtLocation(declaration);
    result.set(
      option.name,
      checker.getPropertiesOfType(type).map((symbol) => ({
        name: symbol.getName(),
        doc: ts.displayPartsToString(symbol.getDocumentationComment(checker)),
        optional: (symbol.flags & ts.SymbolFlags.Optional) !== 0,
      })),
    );
  }
  return result;
}

/** The field names of the table right after `<!-- options: Name -->` in `markdown`, or undefined. */
export function readOptionsTable(markdown: string, name: string): string[] | undefined {
  const lines = markdown.split('\n');
  const marker = lines.findIndex((line) => line.trim() === `<!-- options: ${name} -->`);
  if (marker < 0) return undefined;
  const names: string[] = [];
  for (const line of lines.slice(marker + 1)) {
    if (line.trim() === '') {
      if (names.length === 0) continue;
      break;
    }
    if (!line.startsWith('|')) break;
    const cell = /^\|\s*`(\w+)`/.exec(line);
    if (cell) names.push(cell[1]!);
  }
  return names;
}
