import { type ApplicationConfig, DOCUMENT, inject } from '@angular/core';
import { TICKER_CONFIG, type TickerConfig } from './ticker.service';

/** The feed lives beside the page (`/ticker` on the same host); a real app would read it from its environment. */
function tickerConfig(): TickerConfig {
  const location = inject(DOCUMENT).location;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return {
    url: `${scheme}//${location.host}/ticker`,
    connect: { heartbeat: { interval: 5_000, timeout: 2_000, message: 'ping', isReply: (event) => event.name === 'text' } },
    persist: { minWait: 500, maxWait: 5_000 },
  };
}

export const appConfig: ApplicationConfig = {
  providers: [{ provide: TICKER_CONFIG, useFactory: tickerConfig }],
};
