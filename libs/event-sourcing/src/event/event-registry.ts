import { Injectable } from '@nestjs/common';
import { aggregateEventClasses } from '../aggregate/aggregate';
import { getEventTypeMetadata, type EventTypeMetadata } from '../decorators/event-type.decorator';
import { DuplicateEventTypeError } from '../errors/duplicate-event-type.error';
import { InvalidUpcasterConfigurationError } from '../errors/invalid-upcaster-configuration.error';
import { MissingEventTypeError } from '../errors/missing-event-type.error';
import type { UpcasterDefinition, UpcasterRegistration } from '../upcasting/upcaster';
import { getUpcasterMetadata } from '../upcasting/upcaster.decorator';
import type { EventClass } from './event';

/** What one `forRoot`/`forFeature` call registers. */
export interface EventSourcingFeature {
  /** Aggregate classes; the events of their `@EventHandler`s are registered too. */
  readonly aggregates?: readonly (abstract new () => object)[];
  /** Event classes read back from the store (e.g. ones no aggregate handles). */
  readonly events?: readonly EventClass[];
  /** Upcasters of older event schema versions. */
  readonly upcasters?: readonly UpcasterRegistration[];
}

/** A registered event class with its stored name and current schema version. */
export interface RegisteredEventType extends EventTypeMetadata {
  readonly eventClass: EventClass;
}

/** One step of an upcaster chain, with where it was declared (for messages). */
interface UpcasterStep {
  readonly upcast: (data: unknown) => unknown;
  readonly source: string;
}

/**
 * The module's knowledge of event types: stored name to class and back, current schema
 * versions, and the upcasters of older versions. Filled at start-up by
 * `forRoot`/`forFeature` (and lazily from aggregates used with the store),
 * checked once by `validate()`.
 */
@Injectable()
export class EventRegistry {
  private readonly byName = new Map<string, RegisteredEventType>();
  private readonly byClass = new Map<EventClass, RegisteredEventType>();
  private readonly knownAggregates = new WeakSet<object>();
  /** Upcasters by type name, then by from-version. */
  private readonly upcasters = new Map<string, Map<number, UpcasterStep>>();
  /** Whether `validate()` passed since the last registration. */
  private validated = false;

  /** Registers a feature's aggregates, events and upcasters. */
  registerFeature(feature: EventSourcingFeature): void {
    for (const aggregate of feature.aggregates ?? []) this.registerAggregate(aggregate);
    for (const eventClass of feature.events ?? []) this.registerEvent(eventClass);
    for (const upcaster of feature.upcasters ?? []) this.registerUpcaster(upcaster);
  }

  /** Registers the events an aggregate class handles. Idempotent. */
  registerAggregate(aggregateClass: object): void {
    if (this.knownAggregates.has(aggregateClass)) return;
    for (const eventClass of aggregateEventClasses(aggregateClass)) this.registerEvent(eventClass);
    this.knownAggregates.add(aggregateClass);
  }

  /** Registers an event class under its `@EventType` name. Idempotent for the same class. */
  registerEvent(eventClass: EventClass): RegisteredEventType {
    const known = this.byClass.get(eventClass);
    if (known) return known;
    const metadata = getEventTypeMetadata(eventClass);
    if (!metadata) throw new MissingEventTypeError(eventClass.name);
    const existing = this.byName.get(metadata.name);
    if (existing && existing.eventClass !== eventClass) {
      throw new DuplicateEventTypeError(metadata.name, existing.eventClass.name, eventClass.name);
    }
    const registered: RegisteredEventType = { ...metadata, eventClass };
    this.byName.set(metadata.name, registered);
    this.byClass.set(eventClass, registered);
    return registered;
  }

  /** Registers an `@Upcaster` class or an upcaster definition. */
  registerUpcaster(registration: UpcasterRegistration): void {
    const definition = toDefinition(registration);
    const typeName =
      typeof definition.type === 'string'
        ? definition.type
        : this.registerEvent(definition.type).name;
    if (!Number.isInteger(definition.fromVersion) || definition.fromVersion < 1) {
      throw new InvalidUpcasterConfigurationError(
        typeName,
        `fromVersion must be an integer >= 1, got ${String(definition.fromVersion)} (${sourceOf(registration)}).`,
      );
    }
    let steps = this.upcasters.get(typeName);
    if (!steps) {
      steps = new Map();
      this.upcasters.set(typeName, steps);
    }
    const existing = steps.get(definition.fromVersion);
    const source = sourceOf(registration);
    if (existing) {
      if (existing.source === source && typeof registration === 'function') return;
      throw new InvalidUpcasterConfigurationError(
        typeName,
        `two upcasters from version ${definition.fromVersion} (${existing.source} and ${source}). ` +
          'Keep exactly one per version step.',
      );
    }
    steps.set(definition.fromVersion, {
      upcast: (data) => definition.upcast(data),
      source,
    });
    this.validated = false;
  }

  /**
   * Checks that every type's upcasters form a chain without gaps ending at the
   * class's current schema version. Called once at start-up; fails fast.
   */
  validate(): void {
    for (const [typeName, steps] of this.upcasters) {
      const registered = this.byName.get(typeName);
      if (!registered) {
        throw new InvalidUpcasterConfigurationError(
          typeName,
          'no event class is registered under this name. Register the class in ' +
            'forRoot/forFeature({ events: [...] }) or give the upcaster the class instead of a string.',
        );
      }
      const versions = [...steps.keys()].sort((a, b) => a - b);
      const current = registered.schemaVersion;
      const tooNew = versions.filter((version) => version >= current);
      if (tooNew.length > 0) {
        throw new InvalidUpcasterConfigurationError(
          typeName,
          `upcaster from version ${tooNew[0]} is not below the class's current schema version ${current}. ` +
            `Raise @EventType("${typeName}", { schemaVersion }) to ${tooNew[tooNew.length - 1] + 1} or remove it.`,
        );
      }
      for (let version = versions[0]; version < current; version++) {
        if (!steps.has(version)) {
          throw new InvalidUpcasterConfigurationError(
            typeName,
            `the chain from version ${versions[0]} to ${current} has a gap: no upcaster from version ` +
              `${version} to ${version + 1}. Add @Upcaster(${registered.eventClass.name}, { fromVersion: ${version} }).`,
          );
        }
      }
    }
    this.validated = true;
  }

  /** True once `validate()` passed and nothing was registered since. */
  get isValidated(): boolean {
    return this.validated;
  }

  /** The registered type of `name`, if any. */
  findByName(name: string): RegisteredEventType | undefined {
    return this.byName.get(name);
  }

  /** The registered type of `eventClass`, registering it on first use. */
  typeOf(eventClass: EventClass): RegisteredEventType {
    return this.byClass.get(eventClass) ?? this.registerEvent(eventClass);
  }

  /** The upcaster of `typeName` from `fromVersion`, if any. */
  upcasterOf(typeName: string, fromVersion: number): ((data: unknown) => unknown) | undefined {
    return this.upcasters.get(typeName)?.get(fromVersion)?.upcast;
  }

  /** All registered event types. */
  registeredTypes(): RegisteredEventType[] {
    return [...this.byName.values()];
  }
}

function toDefinition(registration: UpcasterRegistration): UpcasterDefinition {
  if (typeof registration !== 'function') return registration;
  const metadata = getUpcasterMetadata(registration);
  if (!metadata) {
    throw new InvalidUpcasterConfigurationError(
      registration.name,
      `class ${registration.name} has no @Upcaster(EventClass, { fromVersion }) decorator.`,
    );
  }
  const instance = new registration();
  return {
    type: metadata.type,
    fromVersion: metadata.fromVersion,
    upcast: (data) => instance.upcast(data),
  };
}

function sourceOf(registration: UpcasterRegistration): string {
  return typeof registration === 'function' ? registration.name : 'an upcaster object';
}
