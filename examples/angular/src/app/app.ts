import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { TickerService } from './ticker.service';

/** Shows the latest tick of the shared feed. */
@Component({
  selector: 'app-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>lomond ticker</h1>
    @if (tick(); as tick) {
      <p class="tick">{{ tick.symbol }} {{ tick.price }}</p>
    } @else {
      <p class="tick">waiting for the feed…</p>
    }
  `,
})
export class App {
  protected readonly tick = toSignal(inject(TickerService).ticker$);
}
