import 'reflect-metadata';
import { EventType } from '@cello/event-sourcing/decorators/event-type.decorator';
import { DuplicateEventTypeError } from '@cello/event-sourcing/errors/duplicate-event-type.error';
import { InvalidUpcasterConfigurationError } from '@cello/event-sourcing/errors/invalid-upcaster-configuration.error';
import { Upcaster } from '@cello/event-sourcing/upcasting/upcaster.decorator';
import { Order, OrderCancelled, OrderCreated } from '../__fixtures__/order.fixture';
import { Event } from '@cello/event-sourcing/event/event';
import { EventRegistry } from '@cello/event-sourcing/event/event-registry';

@EventType('Renamed', { schemaVersion: 4 })
class Renamed extends Event {}

@EventType('Renamed')
class RenamedTwin extends Event {}

@Upcaster(Renamed, { fromVersion: 1 })
class RenamedV1 {
  upcast(data: object) {
    return data;
  }
}

@Upcaster(Renamed, { fromVersion: 3 })
class RenamedV3 {
  upcast(data: object) {
    return data;
  }
}

class NotDecorated {
  upcast(data: object) {
    return data;
  }
}

const step = (fromVersion: number) => ({ type: Renamed, fromVersion, upcast: (d: unknown) => d });

describe('EventRegistry', () => {
  describe('when an aggregate is registered', () => {
    it('should register the events of its @EventHandler methods', () => {
      // Given
      const registry = new EventRegistry();
      // When
      registry.registerFeature({ aggregates: [Order] });
      // Then
      expect(registry.findByName('OrderCreated')?.eventClass).toBe(OrderCreated);
      expect(registry.findByName('OrderCancelled')?.eventClass).toBe(OrderCancelled);
    });
  });

  describe('when two classes share a type name', () => {
    it('should throw DuplicateEventTypeError naming both classes', () => {
      const registry = new EventRegistry();
      registry.registerEvent(Renamed);
      expect(() => registry.registerEvent(RenamedTwin)).toThrow(DuplicateEventTypeError);
      expect(() => registry.registerEvent(RenamedTwin)).toThrow(/Renamed and RenamedTwin/);
    });
  });

  describe('when upcasters are validated at start-up', () => {
    it('should accept a complete chain ending at the current version', () => {
      const registry = new EventRegistry();
      registry.registerFeature({ upcasters: [RenamedV1, step(2), RenamedV3] });
      expect(() => registry.validate()).not.toThrow();
      expect(registry.isValidated).toBe(true);
    });

    it('should accept the same @Upcaster class registered twice (forRoot and forFeature)', () => {
      const registry = new EventRegistry();
      registry.registerFeature({ upcasters: [RenamedV1, step(2), RenamedV3] });
      expect(() => registry.registerFeature({ upcasters: [RenamedV1] })).not.toThrow();
    });

    it('should fail fast on a gap, saying which upcaster to add', () => {
      // Given
      const registry = new EventRegistry();
      registry.registerFeature({ upcasters: [RenamedV1, RenamedV3] });
      // When / Then
      expect(() => registry.validate()).toThrow(InvalidUpcasterConfigurationError);
      expect(() => registry.validate()).toThrow(
        /no upcaster from version 2 to 3\. Add @Upcaster\(Renamed, \{ fromVersion: 2 \}\)/,
      );
    });

    it('should fail fast on two upcasters from the same version', () => {
      const registry = new EventRegistry();
      registry.registerUpcaster(RenamedV1);
      expect(() => registry.registerUpcaster(step(1))).toThrow(/two upcasters from version 1/);
    });

    it('should fail fast on an upcaster at or above the current version', () => {
      const registry = new EventRegistry();
      registry.registerFeature({ upcasters: [step(1), step(2), step(3), step(4)] });
      expect(() => registry.validate()).toThrow(
        /from version 4 is not below .* current schema version 4/,
      );
    });

    it('should fail fast on an upcaster for a type name nobody registered', () => {
      const registry = new EventRegistry();
      registry.registerUpcaster({ type: 'Ghost', fromVersion: 1, upcast: (d) => d });
      expect(() => registry.validate()).toThrow(/no event class is registered under this name/);
    });

    it('should refuse an upcaster class without @Upcaster', () => {
      const registry = new EventRegistry();
      expect(() => registry.registerUpcaster(NotDecorated)).toThrow(/has no @Upcaster/);
    });

    it('should refuse a fromVersion below 1', () => {
      const registry = new EventRegistry();
      expect(() => registry.registerUpcaster(step(0))).toThrow(
        /fromVersion must be an integer >= 1/,
      );
    });
  });
});
