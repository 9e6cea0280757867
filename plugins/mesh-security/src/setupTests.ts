import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// jsdom does not lay out SVG; DependencyGraph measures nodes and labels with getBBox.
Object.defineProperty(window.SVGElement.prototype, 'getBBox', {
  configurable: true,
  value: () => ({ x: 0, y: 0, width: 100, height: 20 }),
});

// The machines running CI are shared and slow; material-table's remote data and debounced
// search need more than the default second.
configure({ asyncUtilTimeout: 5000 });
