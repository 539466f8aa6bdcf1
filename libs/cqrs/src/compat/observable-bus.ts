import { Observable, Subject } from 'rxjs';

/** A bus that is also the observable stream of what goes through it. */
export class ObservableBus<T> extends Observable<T> {
  protected readonly _subject$ = new Subject<T>();

  constructor() {
    super();
    this.source = this._subject$;
  }

  /** The subject behind the stream. */
  get subject$(): Subject<T> {
    return this._subject$;
  }
}
