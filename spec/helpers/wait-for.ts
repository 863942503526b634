/** Resolves once `condition()` holds, checked at every turn of the event loop (the test's timeout bounds it): waiting for an event, not a fixed sleep. */
export const waitFor = (condition: () => boolean): Promise<void> =>
  new Promise((resolve) => {
    const check = (): void => (condition() ? resolve() : void setImmediate(check));
    check();
  });
