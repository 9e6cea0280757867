/**
 * Layout for components that measure, in jsdom (which lays out nothing and has no
 * `ResizeObserver`): while in use, every element is `box` pixels wide inside (`clientWidth`) and
 * measures `content` pixels (`getBoundingClientRect`), and a `ResizeObserver` reports each
 * element once, when it starts observing it.
 */
export function fakeLayout(widths: {
  box: number;
  content: number;
}): () => void {
  const had = Object.getOwnPropertyDescriptor(window, 'ResizeObserver');
  class ReportingOnce {
    constructor(private readonly callback: ResizeObserverCallback) {}
    observe(target: Element) {
      this.callback([{ target }] as never, this as never);
    }
    unobserve() {}
    disconnect() {}
  }
  Object.defineProperty(window, 'ResizeObserver', {
    configurable: true,
    writable: true,
    value: ReportingOnce,
  });
  const rect = jest
    .spyOn(Element.prototype, 'getBoundingClientRect')
    .mockReturnValue({ width: widths.content } as DOMRect);
  const client = jest
    .spyOn(Element.prototype, 'clientWidth', 'get')
    .mockReturnValue(widths.box);
  return () => {
    rect.mockRestore();
    client.mockRestore();
    if (had) Object.defineProperty(window, 'ResizeObserver', had);
    else delete (window as { ResizeObserver?: unknown }).ResizeObserver;
  };
}
